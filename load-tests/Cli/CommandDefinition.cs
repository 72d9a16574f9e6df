namespace OrleansVoucher.LoadTests.Cli;

/// <summary>One command of the program: <c>verb name [options]</c>, e.g. <c>bench runtime --duration 5</c>.</summary>
/// <param name="Verb">The first word: <c>bench</c>, <c>run</c>.</param>
/// <param name="Name">The second word: the benchmark or scenario.</param>
/// <param name="Description">One line for the usage text.</param>
/// <param name="Options">The options it accepts, each with its help text.</param>
/// <param name="Run">Runs it and returns the process exit code.</param>
internal sealed record CommandDefinition(
    string Verb,
    string Name,
    string Description,
    IReadOnlyList<OptionDefinition> Options,
    Func<CommandOptions, CancellationToken, Task<int>> Run);

/// <summary>An option a command accepts: <c>--name value</c>.</summary>
/// <param name="Name">The name without the dashes.</param>
/// <param name="Value">What the value is, for the usage text (e.g. <c>seconds</c>).</param>
/// <param name="Help">What it does, including its default.</param>
internal sealed record OptionDefinition(string Name, string Value, string Help);
