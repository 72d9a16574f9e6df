using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Scheduler;

namespace OrleansVoucher.Silo.Catalog;

/// <summary>
/// Idle collection (Orleans' activation collector): every collection quantum it deactivates the
/// activations idle for the collection age; and when the silo holds more activations than
/// <see cref="Hosting.SiloOptions.MaxActivations"/>, it deactivates the least recently used idle ones,
/// whatever their age, down to 80% of the limit. A deactivated grain is activated again, from its
/// stored state, by its next call.
/// </summary>
internal sealed class ActivationCollector(SiloRuntime runtime) : IAsyncDisposable
{
    private const double LowWaterMark = 0.8;

    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _pressure = new(0, 1);
    private int _pressureSignalled;
    private int _disposed;
    private Task _loop = Task.CompletedTask;
    private Task _pressureLoop = Task.CompletedTask;

    public void Start()
    {
        _loop = RunPeriodicAsync(_stopping.Token);
        _pressureLoop = RunPressureAsync(_stopping.Token);
    }

    public void SignalPressure()
    {
        if (Interlocked.Exchange(ref _pressureSignalled, 1) == 0)
        {
            _pressure.Release();
        }
    }

    public async Task StopAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loop, _pressureLoop).ConfigureAwait(false);
    }

    public async Task<int> CollectIdleAsync(TimeSpan idleFor)
    {
        var idleSince = runtime.TimeProvider.GetTimestamp() - runtime.ToTimestampTicks(idleFor);
        var deactivations = new List<Task>();
        foreach (var activation in runtime.Catalog.Activations)
        {
            if (activation.TryCollect(idleSince, DeactivationReason.IdleCollection) is { } deactivation)
            {
                deactivations.Add(deactivation);
            }
        }

        await Task.WhenAll(deactivations).ConfigureAwait(false);
        runtime.Metrics.ActivationsCollected.Add(deactivations.Count);
        runtime.Logger.Collected(deactivations.Count, idleFor, runtime.ActivationCount);
        return deactivations.Count;
    }

    /// <summary>
    /// Deactivates every activation: idle ones at once, busy ones when their running and queued calls
    /// are done. Calls arriving meanwhile still activate their grains, which are then deactivated in turn.
    /// </summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        while (runtime.ActivationCount > 0)
        {
            var deactivations = new List<Task>();
            foreach (var activation in runtime.Catalog.Activations)
            {
                if (activation.DeactivateWhenIdleAsync(DeactivationReason.ShuttingDown) is { IsCompleted: false } deactivation)
                {
                    deactivations.Add(deactivation);
                }
            }

            if (deactivations.Count == 0)
            {
                // An activation is between leaving the catalog and leaving the count.
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                continue;
            }

            await Task.WhenAll(deactivations).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Dispose();
        _pressure.Dispose();
    }

    private async Task RunPeriodicAsync(CancellationToken cancellationToken)
    {
        // A quantum beyond a timer's reach collects at the longest period a timer allows.
        var quantum = TimerLimit.IsBounded(runtime.Options.CollectionQuantum) ? runtime.Options.CollectionQuantum : TimerLimit.Max;
        using var timer = new PeriodicTimer(quantum, runtime.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await CollectIdleAsync(runtime.Options.CollectionAge).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    runtime.Logger.CollectionFailed(exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunPressureAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _pressure.WaitAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _pressureSignalled, 0);
                try
                {
                    await CollectLeastRecentlyUsedAsync().ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    runtime.Logger.CollectionFailed(exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Collects the least recently used idle activations until the silo is under its low-water mark.</summary>
    internal async Task<int> CollectLeastRecentlyUsedAsync()
    {
        var limit = runtime.Options.MaxActivations;
        var excess = runtime.ActivationCount - (long)(limit * LowWaterMark);
        if (limit <= 0 || excess <= 0)
        {
            return 0;
        }

        runtime.Logger.CollectingUnderPressure(runtime.ActivationCount, limit);
        var candidates = new List<(long LastActive, ActivationData Activation)>();
        foreach (var activation in runtime.Catalog.Activations)
        {
            if (!activation.IsDefunct)
            {
                candidates.Add((activation.LastActive, activation));
            }
        }

        candidates.Sort(static (a, b) => a.LastActive.CompareTo(b.LastActive));
        var deactivations = new List<Task>();
        foreach (var (lastActive, activation) in candidates)
        {
            if (deactivations.Count >= excess)
            {
                break;
            }

            if (activation.TryCollect(lastActive, DeactivationReason.IdleCollection) is { } deactivation)
            {
                deactivations.Add(deactivation);
            }
        }

        await Task.WhenAll(deactivations).ConfigureAwait(false);
        runtime.Metrics.ActivationsCollected.Add(deactivations.Count);
        return deactivations.Count;
    }
}
