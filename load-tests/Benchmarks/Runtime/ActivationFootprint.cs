using System.Runtime.CompilerServices;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Reporting;
using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.LoadTests.Benchmarks.Runtime;

/// <summary>The managed heap grown by resident activations.</summary>
/// <param name="Activations">Activations added between the two measurements.</param>
/// <param name="HeapBefore">Live heap bytes before activating them.</param>
/// <param name="HeapAfter">Live heap bytes with them resident.</param>
/// <param name="Grain">Which grain was activated.</param>
internal sealed record FootprintRun(string Grain, int Activations, long HeapBefore, long HeapAfter)
{
    public double BytesPerActivation => (double)(HeapAfter - HeapBefore) / Activations;
}

/// <summary>
/// Memory per resident activation: the live heap after a full collection, before and after activating
/// N grains of which the benchmark keeps no reference. The difference includes everything an
/// activation keeps alive: its catalog entry, its key, the grain, and for the grain with a small
/// persistent state (one int, in memory storage so that nothing but the silo's own structures is
/// measured) its persistent state and the state object. The stateless grain shows what the runtime
/// itself costs.
/// </summary>
internal static class ActivationFootprint
{
    public const string SmallState = "small persistent state";
    public const string Stateless = "stateless";

    private const int WarmUpActivations = 1_000;

    public static async Task<FootprintRun> MeasureAsync(string grain, int activations, CancellationToken cancellationToken)
    {
        await using var silo = await BenchSilo.StartAsync(
            s => s.AddGrain<SmallStateGrain>().AddGrain<PingGrain>().UseMemoryStorage(),
            cancellationToken: cancellationToken).ConfigureAwait(false);

        // Activate some first, so that one-time costs (compiled constructors and calls, JIT, the first
        // catalog buckets) are in the baseline rather than spread over the measured activations.
        await ActivateAsync(silo.Grains, grain, "warm", WarmUpActivations, cancellationToken).ConfigureAwait(false);
        var before = LiveHeap();
        await ActivateAsync(silo.Grains, grain, "resident", activations, cancellationToken).ConfigureAwait(false);
        var after = LiveHeap();

        var resident = silo.Runtime.ActivationCount - WarmUpActivations;
        if (resident != activations)
        {
            throw new InvalidOperationException($"Expected {activations:N0} resident activations; the silo holds {resident:N0}. Was some collected?");
        }

        var run = new FootprintRun(grain, activations, before, after);
        Progress.Note($"memory: {activations:N0} {grain} activations grew the live heap by {(after - before) / (1024.0 * 1024):0.0} MB: {run.BytesPerActivation:0} B each");
        return run;
    }

    // Not inlined, so that no reference or task of the activating calls stays reachable from this frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task ActivateAsync(IGrainFactory grains, string grain, string prefix, int count, CancellationToken cancellationToken) =>
        grain == SmallState
            ? Activation.CallAllAsync(count, i => grains.GetGrain<ISmallStateGrain>($"{prefix}-{i}").GetAsync(), cancellationToken)
            : Activation.CallAllAsync(count, i => grains.GetGrain<IPingGrain>($"{prefix}-{i}").PingAsync(), cancellationToken);

    private static long LiveHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
