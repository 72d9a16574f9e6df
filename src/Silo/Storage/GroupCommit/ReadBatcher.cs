using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrleansVoucher.Silo.Diagnostics;

namespace OrleansVoucher.Silo.Storage.GroupCommit;

/// <summary>
/// Coalesces concurrent state reads: a loop takes every read queued (up to the batch size) and hands
/// the distinct keys to the store as one query, with up to a fixed number of queries in flight. A
/// caller that has many keys at once hands them over together (<see cref="ReadManyAsync"/>) and skips
/// the queue.
/// </summary>
internal sealed partial class ReadBatcher : IAsyncDisposable
{
    private readonly Channel<PendingRead> _queue = Channel.CreateUnbounded<PendingRead>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IReadBatchExecutor _executor;
    private readonly string _storeName;
    private readonly int _maxBatchSize;
    private readonly int _maxConcurrentBatches;
    private readonly SiloMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Task _loop;
    private TaskCompletionSource? _pause;
    private long _batchCount;
    private volatile bool _closed;

    /// <summary>Starts the loop.</summary>
    public ReadBatcher(IReadBatchExecutor executor, string storeName, int maxBatchSize, int maxConcurrentBatches, SiloMetrics? metrics, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentBatches, 1);
        _executor = executor;
        _storeName = storeName;
        _maxBatchSize = maxBatchSize;
        _maxConcurrentBatches = maxConcurrentBatches;
        _metrics = metrics;
        _logger = logger;
        _slots = new SemaphoreSlim(maxConcurrentBatches, maxConcurrentBatches);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queries executed so far.</summary>
    internal long BatchCount => Interlocked.Read(ref _batchCount);

    /// <summary>Queues a read; the task fails with <see cref="ObjectDisposedException"/> once disposed.</summary>
    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        StorageArguments.Validate(key);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<StoredState>(cancellationToken);
        }

        var pending = new PendingRead(key);
        pending.RegisterCancellation(cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException<StoredState>(new ObjectDisposedException(_storeName, "The storage is disposed; it serves no more reads."));
        }

        return pending.Task;
    }

    /// <summary>
    /// Reads many states, in the order of <paramref name="keys"/>, as queries of up to the batch size
    /// each, taking their turns with the queue's queries for the limit on queries in flight. The task
    /// fails with <see cref="ObjectDisposedException"/> once disposed.
    /// </summary>
    public async Task<IReadOnlyList<StoredState>> ReadManyAsync(IReadOnlyList<GrainStateKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var indexes = new Dictionary<GrainStateKey, int>(keys.Count);
        var distinct = new List<GrainStateKey>(keys.Count);
        foreach (var key in keys)
        {
            StorageArguments.Validate(key, nameof(keys));
            if (indexes.TryAdd(key, distinct.Count))
            {
                distinct.Add(key);
            }
        }

        var found = new StoredState[distinct.Count];
        var queries = new List<Task>((distinct.Count + _maxBatchSize - 1) / _maxBatchSize);
        for (var start = 0; start < distinct.Count; start += _maxBatchSize)
        {
            queries.Add(ReadRangeAsync(distinct.GetRange(start, Math.Min(_maxBatchSize, distinct.Count - start)), found, start, cancellationToken));
        }

        await Task.WhenAll(queries).ConfigureAwait(false);
        var results = new StoredState[keys.Count];
        var handedOut = new bool[distinct.Count];
        for (var i = 0; i < results.Length; i++)
        {
            // A key named twice gets its own payload array each time, as concurrent single reads do.
            var index = indexes[keys[i]];
            var state = found[index];
            results[i] = handedOut[index] && state.Payload is { } payload ? state with { Payload = payload.ToArray() } : state;
            handedOut[index] = true;
        }

        return results;
    }

    /// <summary>Holds the loop before its next query, so a test can see queued reads coalesce.</summary>
    internal void Pause() => Volatile.Write(ref _pause, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Lets a paused loop run its next query.</summary>
    internal void Resume() => Interlocked.Exchange(ref _pause, null)?.TrySetResult();

    /// <summary>Serves no more reads, and completes when every accepted read is answered.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        Resume();
        await _loop.ConfigureAwait(false);

        // Queries of ReadManyAsync run outside the loop: taking every slot waits for the last of them.
        // Giving the slots back lets a late caller take one and find the batcher closed.
        for (var i = 0; i < _maxConcurrentBatches; i++)
        {
            await _slots.WaitAsync().ConfigureAwait(false);
        }

        _slots.Release(_maxConcurrentBatches);
    }

    private async Task ReadRangeAsync(List<GrainStateKey> keys, StoredState[] found, int offset, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                throw new ObjectDisposedException(_storeName, "The storage is disposed; it serves no more reads.");
            }

            var batch = new ReadBatch(keys);
            await ExecuteAsync(batch).ConfigureAwait(false);
            batch.Results.CopyTo(found, offset);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task RunAsync()
    {
        var running = new List<Task>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (Volatile.Read(ref _pause) is { } pause)
            {
                await pause.Task.ConfigureAwait(false);
            }

            await _slots.WaitAsync().ConfigureAwait(false);
            var waiters = new Dictionary<GrainStateKey, List<PendingRead>>();
            var count = 0;
            while (count < _maxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                if (!pending.TryTake())
                {
                    continue;
                }

                count++;
                if (!waiters.TryGetValue(pending.Key, out var list))
                {
                    waiters.Add(pending.Key, list = []);
                }

                list.Add(pending);
            }

            if (waiters.Count == 0)
            {
                _slots.Release();
                continue;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(RunBatchAsync(waiters));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunBatchAsync(Dictionary<GrainStateKey, List<PendingRead>> waiters)
    {
        var batch = new ReadBatch([.. waiters.Keys]);
        try
        {
            await ExecuteAsync(batch).ConfigureAwait(false);
            for (var i = 0; i < batch.Keys.Count; i++)
            {
                // Callers that read the same state concurrently each get their own payload array.
                var state = batch.Results[i];
                var first = true;
                foreach (var pending in waiters[batch.Keys[i]])
                {
                    pending.Complete(first || state.Payload is null ? state : state with { Payload = state.Payload.ToArray() });
                    first = false;
                }
            }
        }
        catch (Exception exception)
        {
            foreach (var list in waiters.Values)
            {
                foreach (var pending in list)
                {
                    pending.Fail(exception);
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Runs one query, counted and measured; a failure is logged and propagates.</summary>
    private async Task ExecuteAsync(ReadBatch batch)
    {
        try
        {
            await _executor.ExecuteAsync(batch).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            ReadFailed(_logger, _storeName, batch.Keys.Count, exception);
            throw;
        }
        finally
        {
            Interlocked.Increment(ref _batchCount);
            _metrics?.StorageReadBatchSize.Record(batch.Keys.Count);
        }
    }
}

/// <summary>Distinct keys read in one query, and the states the store found for them.</summary>
internal sealed class ReadBatch
{
    public ReadBatch(IReadOnlyList<GrainStateKey> keys)
    {
        Keys = keys;
        Results = new StoredState[keys.Count];
    }

    /// <summary>The keys, without duplicates.</summary>
    public IReadOnlyList<GrainStateKey> Keys { get; }

    /// <summary>The state of each key, by index; <see cref="StoredState.Absent"/> unless the store sets it.</summary>
    public StoredState[] Results { get; }
}

/// <summary>Reads a batch of states in one query.</summary>
internal interface IReadBatchExecutor
{
    /// <summary>Fills <see cref="ReadBatch.Results"/> for every key found.</summary>
    Task ExecuteAsync(ReadBatch batch);
}

/// <summary>A read waiting for its batch.</summary>
internal sealed class PendingRead
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Cancelled = 2;

    private readonly TaskCompletionSource<StoredState> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;
    private int _state;

    public PendingRead(GrainStateKey key) => Key = key;

    public GrainStateKey Key { get; }

    public Task<StoredState> Task => _completion.Task;

    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingRead)state!).TryCancel(token), this);
        }
    }

    public bool TryTake()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued)
        {
            return false;
        }

        _cancellation.Unregister();
        return true;
    }

    public void Complete(StoredState state) => _completion.TrySetResult(state);

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    private void TryCancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
        {
            _completion.TrySetCanceled(token);
        }
    }
}
