namespace OrleansVoucher.LoadTests.Cli;

/// <summary>
/// Whether a command line asks for help. <c>--help</c> and <c>-h</c> do wherever they stand, so help wins
/// over any other mistake on the line (<c>run --rate abc --help</c> shows help, not the bad rate). The bare
/// word <c>help</c> does too, except where it is an option's value: <c>bench http --phases help</c> asks for
/// a phase named <c>help</c>, and is answered with the phases there are.
/// </summary>
internal static class HelpRequest
{
    /// <summary>
    /// True when <paramref name="args"/> ask for help; <paramref name="takesValue"/> tells, for an option's
    /// name without its dashes, whether the next argument is its value.
    /// </summary>
    public static bool IsAskedFor(IReadOnlyList<string> args, Func<string, bool> takesValue)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(takesValue);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return true;
            }

            if (arg == "help" && !(i > 0 && IsOptionAwaitingValue(args[i - 1], takesValue)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="arg"/> is one of the words that ask for help.</summary>
    public static bool IsHelpWord(string arg) => arg is "help" or "--help" or "-h";

    private static bool IsOptionAwaitingValue(string arg, Func<string, bool> takesValue) =>
        arg.Length > 2 && arg.StartsWith("--", StringComparison.Ordinal) && !arg.Contains('=', StringComparison.Ordinal) && takesValue(arg[2..]);
}
