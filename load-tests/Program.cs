using OrleansVoucher.LoadTests.Benchmarks;
using OrleansVoucher.LoadTests.Cli;

// The load-test program: `bench <name> [options]` runs one benchmark and ends its output with one JSON line.
var commands = new CommandDispatcher("OrleansVoucher.LoadTests")
    .Add(
        "bench",
        RuntimeBenchmark.Name,
        RuntimeBenchmark.Description,
        RuntimeBenchmark.Options,
        RuntimeBenchmark.RunAsync);

return await commands.RunAsync(args).ConfigureAwait(false);
