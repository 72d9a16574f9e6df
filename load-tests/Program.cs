using OrleansVoucher.LoadTests.Benchmarks;
using OrleansVoucher.LoadTests.Cli;

// The load-test program: `bench <name> [options]` runs one benchmark and ends its output with one JSON line.
// `run <scenario> [options]` runs a load scenario (docs/load-testing.md); it parses its own, repeatable options.
if (args is ["run", .. var runArgs])
{
    return await OrleansVoucher.LoadTests.Runner.Cli.RunCommand.RunAsync(runArgs).ConfigureAwait(false);
}

var commands = new CommandDispatcher("OrleansVoucher.LoadTests")
    .Mention("run <scenario>", "a load test, a suite file (--config) or a capacity search (--find-capacity) against the engine; 'run --help' lists its options and scenarios (docs/load-testing.md)")
    .Add(
        "bench",
        RuntimeBenchmark.Name,
        RuntimeBenchmark.Description,
        RuntimeBenchmark.Options,
        RuntimeBenchmark.RunAsync)
    .Add("bench", BulkIssueBenchmark.Name, BulkIssueBenchmark.Description, BulkIssueBenchmark.Options, BulkIssueBenchmark.RunAsync)
    .Add("bench", HttpBenchmark.Name, HttpBenchmark.Description, HttpBenchmark.Options, HttpBenchmark.RunAsync);

return await commands.RunAsync(args).ConfigureAwait(false);
