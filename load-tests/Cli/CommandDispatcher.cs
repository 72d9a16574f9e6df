namespace OrleansVoucher.LoadTests.Cli;

/// <summary>
/// Finds the command named by the first two arguments, parses the rest as its options and runs it.
/// Help that was asked for (<c>help</c>, <c>--help</c>, <c>-h</c>) goes to stdout (or <paramref name="output"/>)
/// with exit code 0, so it can be paged or searched; a usage mistake goes to stderr (or <paramref name="errors"/>)
/// with exit code 2. <c>--help</c> after the verb or the command's name shows the usage of those commands alone,
/// and wins over any mistake in the options (see <see cref="HelpRequest"/>).
/// </summary>
internal sealed class CommandDispatcher(string programName, TextWriter? output = null, TextWriter? errors = null)
{
    private readonly List<CommandDefinition> _commands = [];
    private readonly List<(string Usage, string Description)> _others = [];
    private readonly TextWriter _output = output ?? Console.Out;
    private readonly TextWriter _errors = errors ?? Console.Error;

    /// <summary>Lists a command parsed elsewhere (such as <c>run</c>) in the usage text.</summary>
    public CommandDispatcher Mention(string usage, string description)
    {
        _others.Add((usage, description));
        return this;
    }

    public CommandDispatcher Add(
        string verb,
        string name,
        string description,
        IReadOnlyList<OptionDefinition> options,
        Func<CommandOptions, CancellationToken, Task<int>> run)
    {
        _commands.Add(new CommandDefinition(verb, name, description, options, run));
        return this;
    }

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            WriteUsage(_errors, verb: null, name: null);
            return 2;
        }

        if (HelpRequest.IsHelpWord(args[0]))
        {
            WriteUsage(_output, verb: null, name: null);
            return 0;
        }

        var verb = args[0];
        if (!_commands.Exists(c => c.Verb == verb))
        {
            _errors.WriteLine($"Unknown command '{verb}'.");
            WriteUsage(_errors, verb: null, name: null);
            return 2;
        }

        if (args.Length > 1 && HelpRequest.IsHelpWord(args[1]))
        {
            WriteUsage(_output, verb, name: null);
            return 0;
        }

        var command = args.Length > 1 ? _commands.Find(c => c.Verb == verb && c.Name == args[1]) : null;
        if (command is null)
        {
            _errors.WriteLine(args.Length > 1 ? $"Unknown {verb} '{args[1]}'." : $"'{verb}' needs a name.");
            WriteUsage(_errors, verb, name: null);
            return 2;
        }

        // Every option of a command takes a value, so a help word after one is that value, for the command to judge.
        if (HelpRequest.IsAskedFor(args[2..], name => command.Options.Any(o => o.Name == name) ? OptionArity.Value : OptionArity.Unknown))
        {
            WriteUsage(_output, verb, command.Name);
            return 0;
        }

        CommandOptions options;
        try
        {
            options = CommandOptions.Parse(args.AsSpan(2), command.Options);
        }
        catch (ArgumentException exception)
        {
            _errors.WriteLine(exception.Message);
            WriteUsage(_errors, verb, command.Name);
            return 2;
        }

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        try
        {
            return await command.Run(options, cancellation.Token).ConfigureAwait(false);
        }
        catch (OptionException exception)
        {
            _errors.WriteLine(exception.Message);
            WriteUsage(_errors, verb, command.Name);
            return 2;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            _errors.WriteLine("Cancelled.");
            return 130;
        }
    }

    private void WriteUsage(TextWriter writer, string? verb, string? name)
    {
        writer.WriteLine($"Usage: {programName} <command> <name> [options]");
        if (verb is null)
        {
            foreach (var (usage, description) in _others)
            {
                writer.WriteLine();
                writer.WriteLine($"  {usage}    {description}");
            }
        }

        foreach (var command in _commands.Where(c => (verb is null || c.Verb == verb) && (name is null || c.Name == name)))
        {
            writer.WriteLine();
            writer.WriteLine($"  {command.Verb} {command.Name}    {command.Description}");
            foreach (var option in command.Options)
            {
                writer.WriteLine($"      --{option.Name} <{option.Value}>".PadRight(34) + option.Help);
            }
        }
    }
}
