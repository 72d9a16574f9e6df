namespace OrleansVoucher.LoadTests.Cli;

/// <summary>What an option does with the argument after it, as the command's parser knows it.</summary>
internal enum OptionArity
{
    /// <summary>Not an option of the command: the parser refuses it, naming it.</summary>
    Unknown,

    /// <summary>A flag (<c>--list</c>): the next argument is not its.</summary>
    Flag,

    /// <summary>Takes the next argument as its value, whatever it is (<c>--name -h</c> names the test <c>-h</c>).</summary>
    Value,
}

/// <summary>
/// Whether a command line asks for help. The arguments are walked as the parser walks them: an option
/// that takes a value takes the next argument whatever it is, so <c>--name -h</c>, <c>--name --help</c> and
/// <c>bench http --phases help</c> are values, for the command to judge. Anywhere else <c>--help</c> and
/// <c>-h</c> ask for help, and help wins over any other mistake on the line (<c>run verify --rate abc --help</c>
/// shows help, not the bad rate). The bare word <c>help</c> asks for help too, except right after an
/// option the parser does not know: that option may have meant to take it as its value, so <c>--bogus help</c>
/// is the unknown option <c>--bogus</c>, a usage mistake that names it.
/// </summary>
internal static class HelpRequest
{
    /// <summary>
    /// True when <paramref name="args"/> ask for help; <paramref name="arity"/> tells, for an option's name
    /// without its dashes, whether it is the command's and whether the next argument is its value.
    /// </summary>
    public static bool IsAskedFor(IReadOnlyList<string> args, Func<string, OptionArity> arity)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(arity);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (IsHelpWord(arg))
            {
                return true;
            }

            if (arg.Length <= 2 || !arg.StartsWith("--", StringComparison.Ordinal) || arg.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            switch (arity(arg[2..]))
            {
                case OptionArity.Value:
                    i++;
                    break;
                case OptionArity.Unknown when i + 1 < args.Count && args[i + 1] == "help":
                    i++;
                    break;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="arg"/> is one of the words that ask for help.</summary>
    public static bool IsHelpWord(string arg) => arg is "help" or "--help" or "-h";
}
