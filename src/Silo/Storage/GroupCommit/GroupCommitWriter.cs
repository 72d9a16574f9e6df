using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrleansVoucher.Silo.Diagnostics;

namespace OrleansVoucher.Silo.Storage.GroupCommit;

/// <summary>
/// Group commit: coalesces the write units of many concurrent callers into few transactions. A single
/// loop takes everything queued (up to the batch size) the moment a transaction slot is free, so under
/// light load a write costs one transaction and under heavy load one transaction carries many units.
/// A caller's task completes only after the transaction holding its unit committed.
/// </summary>
/// <remarks>
/// <para>Two units that write the same state never share a batch, and a unit never runs while another
/// one writing the same state is in flight: the later one waits for the next batch, in arrival order.
/// So a version conflict is always decided against committed data, never against a sibling unit.</para>
/// <para>Unless the store orders event appends itself, at most one batch that appends stream events is
/// in flight at a time, so this process's events become visible in sequence order: a reader never sees
/// a sequence number before a smaller one that this process appended.</para>
/// </remarks>
internal sealed partial class GroupCommitWriter : IAsyncDisposable
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IWriteBatchExecutor _executor;
    private readonly int _maxBatchSize;
    private readonly long _maxBatchBytes;
    private readonly int _maxConcurrentBatches;
    private readonly bool _serializeEventBatches;
    private readonly SiloMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly string _storeName;
    private readonly Task _loop;

    // Owned by the loop alone.
    private readonly List<PendingWrite> _deferred = [];
    private readonly List<InFlightBatch> _inFlight = [];
    private readonly HashSet<GrainStateKey> _inFlightKeys = [];

    // The keys of the batch being formed and of the units left waiting: kept across batches (only the
    // loop forms them), so that a batch of bulk units — thousands of states — does not grow two new
    // sets from empty every time.
    private readonly HashSet<GrainStateKey> _batchKeys = [];
    private readonly HashSet<GrainStateKey> _waitingKeys = [];

    private TaskCompletionSource? _pause;
    private long _batchCount;
    private int _deferredCount;

    /// <summary>Starts the loop.</summary>
    /// <param name="executor">Runs a batch as one transaction.</param>
    /// <param name="storeName">The store's name, for logs.</param>
    /// <param name="maxBatchSize">Most units per transaction.</param>
    /// <param name="maxBatchBytes">
    /// Most payload bytes per transaction; a single larger unit still commits, alone.
    /// </param>
    /// <param name="maxConcurrentBatches">Most transactions in flight at once.</param>
    /// <param name="serializeEventBatches">
    /// Whether to keep batches appending events from overlapping. A store whose transactions draw
    /// sequence numbers and commit in one order by themselves passes false.
    /// </param>
    /// <param name="metrics">Where batch sizes, durations and conflicts are recorded; null for none.</param>
    /// <param name="logger">Where failed batches are logged.</param>
    public GroupCommitWriter(IWriteBatchExecutor executor, string storeName, int maxBatchSize, long maxBatchBytes, int maxConcurrentBatches, bool serializeEventBatches, SiloMetrics? metrics, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentBatches, 1);
        _executor = executor;
        _storeName = storeName;
        _maxBatchSize = maxBatchSize;
        _maxBatchBytes = maxBatchBytes;
        _maxConcurrentBatches = maxConcurrentBatches;
        _serializeEventBatches = serializeEventBatches;
        _metrics = metrics;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Batches executed so far.</summary>
    internal long BatchCount => Interlocked.Read(ref _batchCount);

    /// <summary>Units taken from the queue that wait for a later batch.</summary>
    internal int DeferredCount => Volatile.Read(ref _deferredCount);

    /// <summary>
    /// Queues a unit and returns a task that completes once it is durable (or failed); it fails with
    /// <see cref="ObjectDisposedException"/> once the writer is disposed.
    /// </summary>
    public Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        StorageArguments.Validate(unit);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<long>>(cancellationToken);
        }

        var pending = new PendingWrite(unit);
        pending.RegisterCancellation(cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException<IReadOnlyList<long>>(new ObjectDisposedException(_storeName, "The storage is disposed; it accepts no more writes."));
        }

        return pending.Task;
    }

    /// <summary>
    /// Holds the loop before it takes its next batch, so a test can queue several units and see them
    /// committed together. Only call while no batch is being formed.
    /// </summary>
    internal void Pause() => Volatile.Write(ref _pause, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Lets a paused loop take its next batch.</summary>
    internal void Resume() => Interlocked.Exchange(ref _pause, null)?.TrySetResult();

    /// <summary>Accepts no more units, and completes when every accepted unit committed or failed.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        Resume();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        Task<bool>? unitsQueued = null;

        // Whether every deferred unit waits for a batch in flight (so only a finished batch or a new
        // unit can make a new batch possible).
        var deferredBlocked = false;
        try
        {
            while (true)
            {
                if (Reap())
                {
                    deferredBlocked = false;
                }

                if (_deferred.Count == 0 || deferredBlocked)
                {
                    unitsQueued ??= _queue.Reader.WaitToReadAsync().AsTask();
                    if (!unitsQueued.IsCompleted && _inFlight.Count > 0)
                    {
                        // Wake for new units or for a finished batch, whichever comes first.
                        await Task.WhenAny(unitsQueued, WhenAnyInFlight()).ConfigureAwait(false);
                        continue;
                    }

                    if (!await unitsQueued.ConfigureAwait(false))
                    {
                        // Disposed: no unit will come any more. Finish the deferred ones, then stop.
                        if (_deferred.Count == 0)
                        {
                            await Task.WhenAll(_inFlight.Select(b => b.Task)).ConfigureAwait(false);
                            return;
                        }

                        await WhenAnyInFlight().ConfigureAwait(false);
                        continue;
                    }

                    unitsQueued = null;
                }

                if (Volatile.Read(ref _pause) is { } pause)
                {
                    await pause.Task.ConfigureAwait(false);
                }

                if (_inFlight.Count >= _maxConcurrentBatches)
                {
                    await WhenAnyInFlight().ConfigureAwait(false);
                    continue;
                }

                var batch = FormBatch();
                if (batch is null)
                {
                    // Whatever is deferred writes a state (or appends events) that is in flight.
                    deferredBlocked = _deferred.Count > 0;
                    continue;
                }

                foreach (var unit in batch.Units)
                {
                    var states = unit.Unit.States;
                    for (var i = 0; i < states.Count; i++)
                    {
                        _inFlightKeys.Add(states[i].Key);
                    }
                }

                _inFlight.Add(new InFlightBatch(batch, RunBatchAsync(batch)));
            }
        }
        catch (Exception exception)
        {
            // The loop itself broke: fail whatever it still holds rather than leave callers waiting.
            LoopFailed(_logger, _storeName, exception);
            await Task.WhenAll(_inFlight.Select(b => b.Task)).ConfigureAwait(false);
            foreach (var pending in _deferred)
            {
                pending.Fail(exception);
            }

            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var pending))
            {
                if (pending.TryTake())
                {
                    pending.Fail(exception);
                }
            }
        }
    }

    private Task WhenAnyInFlight() => Task.WhenAny(_inFlight.Select(b => b.Task));

    /// <summary>Forgets the batches that finished; true if there were any.</summary>
    private bool Reap()
    {
        var reaped = false;
        for (var i = _inFlight.Count - 1; i >= 0; i--)
        {
            var batch = _inFlight[i];
            if (!batch.Task.IsCompleted)
            {
                continue;
            }

            _inFlight.RemoveAt(i);
            reaped = true;
            foreach (var unit in batch.Batch.Units)
            {
                var states = unit.Unit.States;
                for (var s = 0; s < states.Count; s++)
                {
                    _inFlightKeys.Remove(states[s].Key);
                }
            }
        }

        return reaped;
    }

    private WriteBatch? FormBatch()
    {
        var units = new List<PendingWrite>(Math.Min(_maxBatchSize, 64));
        var bytes = 0L;
        var full = false;
        var batchKeys = _batchKeys;
        var waitingKeys = _waitingKeys;
        batchKeys.Clear();
        waitingKeys.Clear();
        var eventsInFlight = _serializeEventBatches && _inFlight.Exists(b => b.Batch.HasEvents);
        var eventsWaiting = false;
        var stillDeferred = new List<PendingWrite>();

        void Consider(PendingWrite pending)
        {
            // Index loops: this runs for every write, and enumerating an interface allocates an enumerator.
            var states = pending.Unit.States;
            var size = PayloadBytes(pending.Unit);
            if (units.Count > 0 && bytes + size > _maxBatchBytes)
            {
                full = true;
            }

            var blocked = full
                || units.Count >= _maxBatchSize
                || (pending.HasEvents && _serializeEventBatches && (eventsInFlight || eventsWaiting));
            if (!blocked)
            {
                for (var i = 0; i < states.Count; i++)
                {
                    var key = states[i].Key;
                    if (batchKeys.Contains(key) || _inFlightKeys.Contains(key) || waitingKeys.Contains(key))
                    {
                        blocked = true;
                        break;
                    }
                }
            }

            if (blocked)
            {
                // Later units for the same states or streams must keep waiting behind this one.
                stillDeferred.Add(pending);
                eventsWaiting |= pending.HasEvents;
                for (var i = 0; i < states.Count; i++)
                {
                    waitingKeys.Add(states[i].Key);
                }

                return;
            }

            units.Add(pending);
            bytes += size;
            for (var i = 0; i < states.Count; i++)
            {
                batchKeys.Add(states[i].Key);
            }
        }

        foreach (var pending in _deferred)
        {
            Consider(pending);
        }

        _deferred.Clear();
        while (!full && units.Count < _maxBatchSize && _queue.Reader.TryRead(out var pending))
        {
            if (pending.TryTake())
            {
                Consider(pending);
            }
        }

        _deferred.AddRange(stillDeferred);
        Volatile.Write(ref _deferredCount, _deferred.Count);
        return units.Count == 0 ? null : new WriteBatch(units);
    }

    private static long PayloadBytes(WriteUnit unit)
    {
        var bytes = 0L;
        var states = unit.States;
        for (var i = 0; i < states.Count; i++)
        {
            bytes += states[i].Payload?.Length ?? 0;
        }

        var events = unit.Events;
        for (var i = 0; i < events.Count; i++)
        {
            bytes += events[i].Payload.Length;
        }

        return bytes;
    }

    private async Task RunBatchAsync(WriteBatch batch)
    {
        // Runs on the loop until the store's first wait (its synchronous part only prepares the
        // statement), so a lone write costs no extra thread hop.
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            await _executor.ExecuteAsync(batch).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            failure = exception;
            BatchFailed(_logger, _storeName, batch.Units.Count, exception);
        }

        Interlocked.Increment(ref _batchCount);
        _metrics?.StorageBatchSize.Record(batch.Units.Count);
        _metrics?.StorageBatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var conflicts = 0;
        foreach (var pending in batch.Units)
        {
            switch (pending.Outcome)
            {
                case WriteOutcome.Conflict:
                    // A lost version check is final even when the transaction failed afterwards.
                    conflicts++;
                    pending.Fail(pending.Conflict!);
                    break;
                case WriteOutcome.Written when failure is null:
                    pending.CompleteCommitted();
                    break;
                default:
                    pending.Fail(failure ?? new InvalidOperationException($"The {_storeName} storage decided nothing for a write unit."));
                    break;
            }
        }

        if (conflicts > 0)
        {
            _metrics?.StorageConflicts.Add(conflicts);
        }
    }

    private readonly record struct InFlightBatch(WriteBatch Batch, Task Task);
}
