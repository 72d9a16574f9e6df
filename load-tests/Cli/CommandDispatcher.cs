namespace OrleansVoucher.LoadTests.Cli;

/// <summary>
/// Finds the command named by the first two arguments, parses the rest as its options and runs it.
/// Usage and errors go to stderr, so that stdout carries only what commands report.
/// </summary>
internal sealed class CommandDispatcher(string programName)
{
    private readonly List<CommandDefinition> _commands = [];

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
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            WriteUsage(Console.Error, verb: null);
            return args.Length == 0 ? 2 : 0;
        }

        var verb = args[0];
        if (!_commands.Exists(c => c.Verb == verb))
        {
            Console.Error.WriteLine($"Unknown command '{verb}'.");
            WriteUsage(Console.Error, verb: null);
            return 2;
        }

        var command = args.Length > 1 ? _commands.Find(c => c.Verb == verb && c.Name == args[1]) : null;
        if (command is null)
        {
            Console.Error.WriteLine(args.Length > 1 ? $"Unknown {verb} '{args[1]}'." : $"'{verb}' needs a name.");
            WriteUsage(Console.Error, verb);
            return 2;
        }

        CommandOptions options;
        try
        {
            options = CommandOptions.Parse(args.AsSpan(2), command.Options);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            WriteUsage(Console.Error, verb);
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
            Console.Error.WriteLine(exception.Message);
            WriteUsage(Console.Error, verb);
            return 2;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
    }

    private void WriteUsage(TextWriter writer, string? verb)
    {
        writer.WriteLine($"Usage: {programName} <command> <name> [options]");
        foreach (var command in _commands.Where(c => verb is null || c.Verb == verb))
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
