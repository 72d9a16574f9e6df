using System.Diagnostics.Metrics;

namespace OrleansVoucher.Silo.Diagnostics;

/// <summary>
/// The silo's instruments, on the meter named <see cref="MeterName"/>: activations, calls, call
/// latency, storage batches and version conflicts. One instance per silo, created from the host's
/// <see cref="IMeterFactory"/> so that tests can listen to one silo alone.
/// </summary>
public sealed class SiloMetrics : IDisposable
{
    /// <summary>The meter's name, for exporters and listeners.</summary>
    public const string MeterName = "OrleansVoucher.Silo";

    private readonly Meter _meter;
    private long _activationCount;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a private meter.</summary>
    public SiloMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableUpDownCounter("orleansvoucher.silo.activations", () => Volatile.Read(ref _activationCount), "{activation}", "Activations resident in this silo.");
        ActivationsCreated = _meter.CreateCounter<long>("orleansvoucher.silo.activations.created", "{activation}", "Activations created.");
        ActivationsCollected = _meter.CreateCounter<long>("orleansvoucher.silo.activations.collected", "{activation}", "Activations deactivated by idle collection.");
        ActivationsAged = _meter.CreateCounter<long>("orleansvoucher.silo.activations.aged", "{activation}", "Activations replaced, at a call, for being older than the maximum activation age.");
        Calls = _meter.CreateCounter<long>("orleansvoucher.silo.calls", "{call}", "Grain calls completed.");
        CallFailures = _meter.CreateCounter<long>("orleansvoucher.silo.calls.failed", "{call}", "Grain calls that ended in an exception.");
        CallDuration = _meter.CreateHistogram<double>("orleansvoucher.silo.call.duration", "ms", "Time from a call's arrival at its activation to its completion.");
        StorageBatchSize = _meter.CreateHistogram<int>("orleansvoucher.silo.storage.batch.size", "{unit}", "Write units committed per storage transaction.");
        StorageBatchDuration = _meter.CreateHistogram<double>("orleansvoucher.silo.storage.batch.duration", "ms", "Duration of one storage transaction.");
        StorageReadBatchSize = _meter.CreateHistogram<int>("orleansvoucher.silo.storage.read.batch.size", "{read}", "States read per storage round trip.");
        StorageConflicts = _meter.CreateCounter<long>("orleansvoucher.silo.storage.conflicts", "{conflict}", "Writes that lost a version race.");
        StatesSwept = _meter.CreateCounter<long>("orleansvoucher.silo.storage.states.swept", "{state}", "Expired states deleted from storage.");
    }

    /// <summary>Activations created.</summary>
    public Counter<long> ActivationsCreated { get; }

    /// <summary>Activations deactivated by idle collection.</summary>
    public Counter<long> ActivationsCollected { get; }

    /// <summary>Activations replaced for being older than <see cref="Hosting.SiloOptions.MaxActivationAge"/>.</summary>
    public Counter<long> ActivationsAged { get; }

    /// <summary>Grain calls completed.</summary>
    public Counter<long> Calls { get; }

    /// <summary>Grain calls that failed.</summary>
    public Counter<long> CallFailures { get; }

    /// <summary>Call latency.</summary>
    public Histogram<double> CallDuration { get; }

    /// <summary>Units per storage transaction.</summary>
    public Histogram<int> StorageBatchSize { get; }

    /// <summary>Storage transaction duration.</summary>
    public Histogram<double> StorageBatchDuration { get; }

    /// <summary>Reads per storage round trip.</summary>
    public Histogram<int> StorageReadBatchSize { get; }

    /// <summary>Version conflicts.</summary>
    public Counter<long> StorageConflicts { get; }

    /// <summary>Expired states deleted by the sweep.</summary>
    public Counter<long> StatesSwept { get; }

    /// <summary>Resident activations now.</summary>
    public long ActivationCount => Volatile.Read(ref _activationCount);

    internal void ActivationAdded() => Interlocked.Increment(ref _activationCount);

    internal void ActivationRemoved() => Interlocked.Decrement(ref _activationCount);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
