using System.Diagnostics.Metrics;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>
/// The bulk runner's instruments, on the meter named <see cref="MeterName"/>: what this engine's runner
/// decided and recorded, how long a chunk took, the jobs it is issuing and the runs that stopped at an
/// error. Another engine's runner counts its own; summed over the engines they count each row once,
/// because a chunk's outcome is recorded once.
/// </summary>
public sealed class BulkIssuanceMetrics : IDisposable
{
    /// <summary>The meter's name, for exporters and listeners.</summary>
    public const string MeterName = "OrleansVoucher.BulkIssuance";

    private readonly Meter _meter;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _chunks;
    private readonly Histogram<double> _chunkDuration;
    private readonly Counter<long> _faultedRuns;
    private long _running;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a private meter.</summary>
    public BulkIssuanceMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _rows = _meter.CreateCounter<long>("orleansvoucher.bulk.rows", "{row}", "Rows of bulk jobs issued or rejected at issuance, recorded by this engine's runner, by outcome.");
        _chunks = _meter.CreateCounter<long>("orleansvoucher.bulk.chunks", "{chunk}", "Chunks of bulk jobs whose outcome this engine's runner recorded.");
        _chunkDuration = _meter.CreateHistogram<double>("orleansvoucher.bulk.chunk.duration", "s", "Time to issue a chunk and record its outcome.");
        _faultedRuns = _meter.CreateCounter<long>("orleansvoucher.bulk.runs.faulted", "{run}", "Runs of a bulk job that stopped at an error; the job resumes from its last recorded chunk.");
        _meter.CreateObservableUpDownCounter("orleansvoucher.bulk.jobs.running", () => Volatile.Read(ref _running), "{job}", "Bulk jobs this engine's runner holds the lease of and is issuing.");
    }

    /// <summary>Jobs being issued now.</summary>
    public long Running => Volatile.Read(ref _running);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    internal void RunStarted() => Interlocked.Increment(ref _running);

    internal void RunEnded() => Interlocked.Decrement(ref _running);

    internal void RunFaulted() => _faultedRuns.Add(1);

    internal void ChunkRecorded(BulkChunkOutcome outcome, TimeSpan elapsed)
    {
        _chunks.Add(1);
        _rows.Add(outcome.IssuedCount, new KeyValuePair<string, object?>("outcome", "issued"));
        _rows.Add(outcome.Rejections.Count, new KeyValuePair<string, object?>("outcome", "rejected"));
        _chunkDuration.Record(elapsed.TotalSeconds);
    }
}
