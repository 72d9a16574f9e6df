using System.Globalization;
using OrleansVoucher.LoadTests.Benchmarks.Runtime;
using OrleansVoucher.LoadTests.Cli;
using OrleansVoucher.LoadTests.Reporting;
using OrleansVoucher.Testing;

namespace OrleansVoucher.LoadTests.Benchmarks;

/// <summary>
/// <c>bench runtime</c>: the grain runtime's own costs, with no product code in the way: memory per
/// resident activation, in-process calls per second, and durable writes per second through the
/// PostgreSQL store with group commit against one transaction per write.
/// </summary>
internal static class RuntimeBenchmark
{
    public const string Name = "runtime";

    public const string Description = "grain calls/s, bytes per activation, group commit vs one transaction per write";

    public static readonly IReadOnlyList<OptionDefinition> Options =
    [
        new("duration", "seconds", "length of each timed phase (default 5)"),
        new("grains", "N", "grains called in the calls phase (default 100000)"),
        new("activations", "N", "activations measured for memory (default 200000)"),
        new("writers", "N", "concurrent grains writing in the write phases (default 64)"),
        new("pg", "connection string", "PostgreSQL to write to (its schemas bench_group_commit and bench_single_commit are dropped and recreated); default: a throwaway server"),
    ];

    private const double CallsTarget = 2_000_000;
    private const double BytesPerActivationTarget = 1024;
    private const double GroupCommitRatioTarget = 5;

    public static async Task<int> RunAsync(CommandOptions options, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(options.GetDouble("duration", 5, 0.5));
        var grains = options.GetInt32("grains", 100_000, 1);
        var activations = options.GetInt32("activations", 200_000, 1);
        var writers = options.GetInt32("writers", 64, 1);
        var pg = options.GetString("pg");
        var callerCounts = Enumerable.Range(1, 2 * Environment.ProcessorCount).ToArray();

        // Memory first, on a heap that nothing else has grown yet; the database server starts last, so
        // that it takes no processor time from the in-process phases.
        var footprint = await ActivationFootprint.MeasureAsync(ActivationFootprint.SmallState, activations, cancellationToken).ConfigureAwait(false);
        var statelessFootprint = await ActivationFootprint.MeasureAsync(ActivationFootprint.Stateless, activations, cancellationToken).ConfigureAwait(false);
        var calls = await CallThroughput.MeasureAsync(grains, duration, callerCounts, cancellationToken).ConfigureAwait(false);
        var best = calls.MaxBy(r => r.CallsPerSecond)!;
        var writes = await MeasureWritesAsync(pg, writers, duration, cancellationToken).ConfigureAwait(false);
        var ratio = writes.GroupCommit.WritesPerSecond / writes.SingleCommit.WritesPerSecond;

        // Writes per CPU-second (silo and database together), group commit over one transaction per
        // write: how much less of the machine a write costs. Other load on a shared machine moves it far
        // less than writes per second, which it skews against group commit: the scheduler shares the
        // processors per thread, and one transaction per write keeps 64 database backends busy where
        // group commit keeps two.
        var cpuRatio = writes.SingleCommit.TotalProcessorMicrosecondsPerWrite / writes.GroupCommit.TotalProcessorMicrosecondsPerWrite;

        var output = Console.Out;
        output.WriteLine();
        MachineInfo.WriteTo(output);
        output.WriteLine($"Database: {writes.Server}");
        output.WriteLine();

        var memoryTable = new ResultTable("grain", "activations", "live heap growth", "B/activation")
        {
            Title = "Memory per resident activation (live heap after a full GC, before and after)",
        };
        foreach (var run in new[] { footprint, statelessFootprint })
        {
            memoryTable.AddRow(
                run.Grain,
                Format(run.Activations),
                $"{(run.HeapAfter - run.HeapBefore) / (1024.0 * 1024):0.0} MB",
                Format(run.BytesPerActivation));
        }

        memoryTable.WriteTo(output);
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

        var writeTable = new ResultTable("store", "writes/s", "per phase", "writes", "writes/transaction", "B/write", "silo CPU µs/write", "db CPU µs/write", "writes/CPU-s")
        {
            Title = $"Durable writes to PostgreSQL from {writers} concurrent grains ({duration.TotalSeconds:0.#} s each, in two phases: group, single, single, group)",
        };
        foreach (var run in new[] { writes.GroupCommit, writes.SingleCommit })
        {
            writeTable.AddRow(
                run.Store,
                Format(run.WritesPerSecond),
                string.Join(" / ", run.Phases.Select(p => Format(p.WritesPerSecond))),
                Format(run.Writes),
                (run.WritesPerTransaction ?? 1).ToString("0.0", CultureInfo.InvariantCulture),
                Format(run.BytesPerWrite),
                run.ProcessorMicrosecondsPerWrite.ToString("0.0", CultureInfo.InvariantCulture),
                run.ServerProcessorMicrosecondsPerWrite?.ToString("0.0", CultureInfo.InvariantCulture) ?? "n/a",
                run.TotalProcessorMicrosecondsPerWrite is { } total ? Format(1e6 / total) : "n/a");
        }

        writeTable.WriteTo(output);
        output.WriteLine();

        var summaryTable = new ResultTable("metric", "measured", "target", "vs target")
        {
            Title = "Summary",
        };
        summaryTable.AddRow("calls_per_sec", Format(best.CallsPerSecond), $">= {Format(CallsTarget)}", Ratio(best.CallsPerSecond / CallsTarget));
        summaryTable.AddRow("group_commit_writes_per_sec", Format(writes.GroupCommit.WritesPerSecond), string.Empty, string.Empty);
        summaryTable.AddRow("single_commit_writes_per_sec", Format(writes.SingleCommit.WritesPerSecond), string.Empty, string.Empty);
        summaryTable.AddRow("group_commit_ratio", Ratio(ratio), $">= {Ratio(GroupCommitRatioTarget)}", Ratio(ratio / GroupCommitRatioTarget));
        if (cpuRatio is { } writesPerCpuRatio)
        {
            summaryTable.AddRow("group_commit_cpu_ratio", Ratio(writesPerCpuRatio), string.Empty, string.Empty);
        }

        summaryTable.AddRow("bytes_per_activation", Format(footprint.BytesPerActivation), $"<= {Format(BytesPerActivationTarget)}", Ratio(BytesPerActivationTarget / footprint.BytesPerActivation));
        summaryTable.WriteTo(output);
        output.WriteLine();

        var summary = new JsonSummary()
            .Add("bench", Name)
            .Add("calls_per_sec", Math.Round(best.CallsPerSecond))
            .Add("calls_best_callers", best.Callers)
            .Add("calls_grains", grains)
            .Add("bytes_per_call", Math.Round(best.BytesPerCall, 1))
            .Add("group_commit_writes_per_sec", Math.Round(writes.GroupCommit.WritesPerSecond))
            .Add("single_commit_writes_per_sec", Math.Round(writes.SingleCommit.WritesPerSecond))
            .Add("group_commit_ratio", Math.Round(ratio, 2))
            .Add("group_commit_cpu_us_per_write", Round(writes.GroupCommit.TotalProcessorMicrosecondsPerWrite))
            .Add("single_commit_cpu_us_per_write", Round(writes.SingleCommit.TotalProcessorMicrosecondsPerWrite))
            .Add("group_commit_cpu_ratio", cpuRatio is { } r ? Math.Round(r, 2) : null)
            .Add("group_commit_writes_per_transaction", writes.GroupCommit.WritesPerTransaction is { } perTransaction ? Math.Round(perTransaction, 1) : null)
            .Add("writers", writers)
            .Add("bytes_per_activation", Math.Round(footprint.BytesPerActivation, 1))
            .Add("bytes_per_activation_stateless", Math.Round(statelessFootprint.BytesPerActivation, 1))
            .Add("activations_measured", activations)
            .Add("duration_seconds", duration.TotalSeconds)
            .Add("postgres", writes.Server + (pg is null ? " (throwaway server)" : " (--pg)"));
        MachineInfo.AddTo(summary);
        summary.WriteTo(output);
        return 0;
    }

    private static async Task<(WriteRun GroupCommit, WriteRun SingleCommit, string Server)> MeasureWritesAsync(string? pg, int writers, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (pg is not null)
        {
            return await MeasureAsync(pg, server: null).ConfigureAwait(false);
        }

        Progress.Note("writes: starting a throwaway PostgreSQL server");
        var server = new PostgresServer();
        await using (server.ConfigureAwait(false))
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            var connectionString = await server.CreateDatabaseAsync("bench_runtime", cancellationToken).ConfigureAwait(false);
            return await MeasureAsync(connectionString, ServerProcessorTime.ForDataDirectory(server.DataDirectory)).ConfigureAwait(false);
        }

        async Task<(WriteRun, WriteRun, string)> MeasureAsync(string connectionString, ServerProcessorTime? server)
        {
            var description = await WriteThroughput.DescribeServerAsync(connectionString, cancellationToken).ConfigureAwait(false);
            Progress.Note($"writes: {description}");
            var (group, single) = await WriteThroughput.MeasureAsync(connectionString, writers, duration, server, cancellationToken).ConfigureAwait(false);
            return (group, single, description);
        }
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

    private static string Format(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "x";
}
