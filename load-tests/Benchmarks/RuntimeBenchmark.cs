using System.Globalization;
using OrleansVoucher.LoadTests.Benchmarks.Runtime;
using OrleansVoucher.LoadTests.Cli;
using OrleansVoucher.LoadTests.Reporting;

namespace OrleansVoucher.LoadTests.Benchmarks;

/// <summary>
/// <c>bench runtime</c>: the grain runtime's own costs, with no product code in the way: in-process calls
/// per second, memory per resident activation, and durable writes per second through the PostgreSQL
/// store with group commit against one transaction per write.
/// </summary>
internal static class RuntimeBenchmark
{
    public const string Name = "runtime";

    public const string Description = "grain calls/s, bytes per activation, group commit vs one transaction per write";

    public static readonly IReadOnlyList<OptionDefinition> Options =
    [
        new("duration", "seconds", "length of each timed phase (default 3)"),
        new("grains", "N", "grains called in the calls phase (default 100000)"),
        new("activations", "N", "activations measured for memory (default 200000)"),
    ];

    private const double CallsTarget = 2_000_000;
    private const double BytesPerActivationTarget = 1024;

    public static async Task<int> RunAsync(CommandOptions options, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(options.GetDouble("duration", 3, 0.5));
        var grains = options.GetInt32("grains", 100_000, 1);
        var activations = options.GetInt32("activations", 200_000, 1);
        var callerCounts = Enumerable.Range(1, 2 * Environment.ProcessorCount).ToArray();

        // Memory first, on a heap that nothing else has grown yet.
        var footprint = await ActivationFootprint.MeasureAsync(activations, cancellationToken).ConfigureAwait(false);
        var calls = await CallThroughput.MeasureAsync(grains, duration, callerCounts, cancellationToken).ConfigureAwait(false);
        var best = calls.MaxBy(r => r.CallsPerSecond)!;

        var output = Console.Out;
        output.WriteLine();
        MachineInfo.WriteTo(output);
        output.WriteLine();

        var callTable = new ResultTable("callers", "calls/s", "calls", "seconds", "B/call", "gen0 GCs")
        {
            Title = $"In-process calls over {grains:N0} pre-activated grains ({duration.TotalSeconds:0.#} s each)",
        };
        foreach (var run in calls)
        {
            callTable.AddRow(
                run == best ? $"{run.Callers} (best)" : run.Callers.ToString(CultureInfo.InvariantCulture),
                Format(run.CallsPerSecond),
                Format(run.Calls),
                run.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),
                run.BytesPerCall.ToString("0.0", CultureInfo.InvariantCulture),
                run.Gen0Collections.ToString(CultureInfo.InvariantCulture));
        }

        callTable.WriteTo(output);
        output.WriteLine();

        var summaryTable = new ResultTable("metric", "measured", "target", "vs target")
        {
            Title = "Summary",
        };
        summaryTable.AddRow("calls_per_sec", Format(best.CallsPerSecond), $">= {Format(CallsTarget)}", Ratio(best.CallsPerSecond / CallsTarget));
        summaryTable.AddRow("bytes_per_call", best.BytesPerCall.ToString("0.0", CultureInfo.InvariantCulture), string.Empty, string.Empty);
        summaryTable.AddRow("bytes_per_activation", Format(footprint.BytesPerActivation), $"<= {Format(BytesPerActivationTarget)}", Ratio(BytesPerActivationTarget / footprint.BytesPerActivation));
        summaryTable.WriteTo(output);
        output.WriteLine();

        var summary = new JsonSummary()
            .Add("bench", Name)
            .Add("calls_per_sec", Math.Round(best.CallsPerSecond))
            .Add("calls_best_callers", best.Callers)
            .Add("calls_grains", grains)
            .Add("bytes_per_call", best.BytesPerCall)
            .Add("bytes_per_activation", Math.Round(footprint.BytesPerActivation, 1))
            .Add("activations_measured", activations)
            .Add("duration_seconds", duration.TotalSeconds);
        MachineInfo.AddTo(summary);
        summary.WriteTo(output);
        return 0;
    }

    private static string Format(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "x";
}
