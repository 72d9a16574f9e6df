using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansVoucher.Silo.Diagnostics;

namespace OrleansVoucher.Tests.Storage;

/// <summary>Collects the storage measurements of one <see cref="SiloMetrics"/> instance.</summary>
public sealed class StorageMetricsListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _conflicts;

    public StorageMetricsListener(SiloMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, metrics.StorageBatchSize)
                || ReferenceEquals(instrument, metrics.StorageReadBatchSize)
                || ReferenceEquals(instrument, metrics.StorageConflicts))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            (ReferenceEquals(instrument, metrics.StorageBatchSize) ? BatchSizes : ReadBatchSizes).Enqueue(value);
        });
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _conflicts, value));
        _listener.Start();
    }

    /// <summary>Units per write transaction, in order.</summary>
    public ConcurrentQueue<int> BatchSizes { get; } = new();

    /// <summary>Keys per read query, in order.</summary>
    public ConcurrentQueue<int> ReadBatchSizes { get; } = new();

    /// <summary>Version conflicts counted.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    public void Dispose() => _listener.Dispose();
}
