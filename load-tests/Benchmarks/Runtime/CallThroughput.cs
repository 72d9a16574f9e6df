using System.Diagnostics;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Reporting;

namespace OrleansVoucher.LoadTests.Benchmarks.Runtime;

/// <summary>The result of one timed phase of in-process calls.</summary>
/// <param name="Callers">Concurrent caller loops.</param>
/// <param name="Calls">Calls completed.</param>
/// <param name="Elapsed">Wall time of the phase.</param>
/// <param name="AllocatedBytes">Bytes allocated in the process during the phase.</param>
/// <param name="Gen0Collections">Gen 0 collections during the phase.</param>
internal sealed record CallRun(int Callers, long Calls, TimeSpan Elapsed, long AllocatedBytes, int Gen0Collections)
{
    public double CallsPerSecond => Calls / Elapsed.TotalSeconds;

    public double BytesPerCall => Calls == 0 ? 0 : (double)AllocatedBytes / Calls;
}

/// <summary>
/// In-process grain calls per second: activates every grain first, then runs K caller loops, each
/// walking the grains round-robin from its own starting point through their references, for a fixed
/// time. The loops start spread evenly over the grains, so two of them rarely call the same grain at
/// once and almost every call finds its activation idle.
/// </summary>
internal static class CallThroughput
{
    private const int CallsBetweenClockReads = 256;

    public static async Task<IReadOnlyList<CallRun>> MeasureAsync(int grainCount, TimeSpan duration, IReadOnlyList<int> callerCounts, CancellationToken cancellationToken)
    {
        // Every caller loop holds a pool thread for the whole phase: make sure each has one at once,
        // instead of waiting for the pool to inject threads. Later phases get the pool as it was.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, callerCounts.Max() + Environment.ProcessorCount), completionPorts);
        try
        {
            return await MeasureOnSiloAsync(grainCount, duration, callerCounts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, completionPorts);
        }
    }

    private static async Task<IReadOnlyList<CallRun>> MeasureOnSiloAsync(int grainCount, TimeSpan duration, IReadOnlyList<int> callerCounts, CancellationToken cancellationToken)
    {
        await using var silo = await BenchSilo.StartAsync(s => s.AddGrain<PingGrain>(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var grains = new IPingGrain[grainCount];
        for (var i = 0; i < grains.Length; i++)
        {
            grains[i] = silo.Grains.GetGrain<IPingGrain>($"ping-{i}");
        }

        var activation = Stopwatch.StartNew();
        await Activation.CallAllAsync(grains.Length, i => grains[i].PingAsync(), cancellationToken).ConfigureAwait(false);
        Progress.Note($"calls: activated {silo.Runtime.ActivationCount:N0} grains in {activation.Elapsed.TotalSeconds:0.00} s");

        // Warm up: let tiered compilation reach its optimized code for the whole call path.
        var warmUp = await RunAsync(grains, Environment.ProcessorCount, TimeSpan.FromSeconds(Math.Min(2, duration.TotalSeconds)), cancellationToken).ConfigureAwait(false);

        var runs = new List<CallRun>();
        foreach (var callers in callerCounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            GC.Collect();
            var run = await RunAsync(grains, callers, duration, cancellationToken).ConfigureAwait(false);
            Progress.Note($"calls: {callers} caller(s): {run.CallsPerSecond:N0}/s, {run.BytesPerCall:0.#} B/call, {run.Gen0Collections} gen0 GCs");
            runs.Add(run);
        }

        if (silo.Runtime.ActivationCount != grainCount)
        {
            throw new InvalidOperationException($"Expected {grainCount} activations after the calls; the silo holds {silo.Runtime.ActivationCount}.");
        }

        // Every counted call must have reached its grain: one activating call each, then the timed ones.
        var counted = grainCount + warmUp.Calls + runs.Sum(r => r.Calls);
        long received = 0;
        foreach (var grain in grains)
        {
            received += await grain.GetPingsAsync().ConfigureAwait(false);
        }

        if (received != counted)
        {
            throw new InvalidOperationException($"The caller loops counted {counted:N0} calls but the grains received {received:N0}.");
        }

        return runs;
    }

    private static async Task<CallRun> RunAsync(IPingGrain[] grains, int callers, TimeSpan duration, CancellationToken cancellationToken)
    {
        var gen0Before = GC.CollectionCount(0);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = new Task<long>[callers];
        for (var k = 0; k < callers; k++)
        {
            var start = (int)((long)grains.Length * k / callers);
            loops[k] = Task.Run(() => CallLoopAsync(grains, start, deadline, cancellationToken), cancellationToken);
        }

        var counts = await Task.WhenAll(loops).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new CallRun(callers, counts.Sum(), elapsed, allocated, GC.CollectionCount(0) - gen0Before);
    }

    private static async Task<long> CallLoopAsync(IPingGrain[] grains, int start, long deadline, CancellationToken cancellationToken)
    {
        long calls = 0;
        var next = start;
        while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            for (var n = 0; n < CallsBetweenClockReads; n++)
            {
                await grains[next].PingAsync().ConfigureAwait(false);
                if (++next == grains.Length)
                {
                    next = 0;
                }
            }

            calls += CallsBetweenClockReads;
        }

        return calls;
    }
}
