using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Tests.Storage;

/// <summary>The group commit loop against a scripted store: batching, deferral, failures, draining.</summary>
public sealed class GroupCommitWriterTests
{
    private static readonly byte[] s_payload = [1];

    [Fact]
    public async Task Everything_queued_while_a_batch_runs_forms_the_next_batch()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        store.Hold();

        var first = writer.CommitAsync(Unit("k0", 0), CancellationToken.None);
        await store.Started.Reader.ReadAsync();
        var rest = Enumerable.Range(1, 20).Select(i => writer.CommitAsync(Unit($"k{i}", 0), CancellationToken.None)).ToList();
        store.Release();

        await first;
        await Task.WhenAll(rest);
        Assert.Equal([1, 20], store.BatchSizes);
    }

    [Fact]
    public async Task A_batch_never_holds_more_than_the_maximum()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 8, maxBatchBytes: 1 << 20, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        writer.Pause();

        var writes = Enumerable.Range(0, 20).Select(i => writer.CommitAsync(Unit($"k{i}", 0), CancellationToken.None)).ToList();
        writer.Resume();

        await Task.WhenAll(writes);
        Assert.Equal([8, 8, 4], store.BatchSizes);
    }

    [Fact]
    public async Task A_batch_stops_at_the_byte_limit_but_a_larger_unit_still_commits_alone()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 10, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        writer.Pause();

        var writes = new[] { 4, 4, 4, 25, 1 }.Select((size, i) => writer.CommitAsync(WriteUnit.Of(new StateWrite(new GrainStateKey("t", "s", $"k{i}"), 0, new byte[size])), CancellationToken.None)).ToList();
        writer.Resume();

        await Task.WhenAll(writes);
        Assert.Equal([2, 1, 1, 1], store.BatchSizes);
    }

    [Fact]
    public async Task Units_writing_a_state_already_in_the_batch_or_in_flight_wait_in_order()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 2, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        store.Hold();
        var inFlight = writer.CommitAsync(Unit("a", 0), CancellationToken.None);
        await store.Started.Reader.ReadAsync();

        // "a" is in flight; the second batch may take "b" and "c" but neither unit writing "a".
        var a1 = writer.CommitAsync(Unit("a", 1), CancellationToken.None);
        var b = writer.CommitAsync(Unit("b", 0), CancellationToken.None);
        var a2 = writer.CommitAsync(Unit("a", 2), CancellationToken.None);
        var c = writer.CommitAsync(Unit("c", 0), CancellationToken.None);
        var second = await store.Started.Reader.ReadAsync();
        Assert.Equal(["b", "c"], second.Units.Select(u => u.Unit.States[0].Key.GrainKey));
        store.Release();

        await Task.WhenAll(inFlight, a1, b, a2, c);
        Assert.Equal([["a"], ["b", "c"], ["a"], ["a"]], store.Batches.Select(keys => keys.ToArray()));
        Assert.Equal(3, (await a2)[0]);
    }

    [Fact]
    public async Task A_unit_waiting_for_an_in_flight_state_does_not_hold_back_others()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 2, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        store.Hold();
        var inFlight = writer.CommitAsync(Unit("a", 0), CancellationToken.None);
        await store.Started.Reader.ReadAsync();
        var waiting = writer.CommitAsync(Unit("a", 1), CancellationToken.None);
        while (writer.DeferredCount == 0)
        {
            await Task.Yield();
        }

        // A free slot and a unit of another state: it must start now, not after "a" commits.
        var other = writer.CommitAsync(Unit("b", 0), CancellationToken.None);
        Assert.Equal(["b"], (await store.Started.Reader.ReadAsync()).Units.Select(u => u.Unit.States[0].Key.GrainKey));
        store.Release();

        await Task.WhenAll(inFlight, waiting, other);
        Assert.Equal([["a"], ["b"], ["a"]], store.Batches.Select(keys => keys.ToArray()));
    }

    [Fact]
    public async Task Only_one_batch_appending_events_is_in_flight()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 2, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        store.Hold();
        var evented = writer.CommitAsync(Unit("a", 0, withEvent: true), CancellationToken.None);
        await store.Started.Reader.ReadAsync();

        var alsoEvented = writer.CommitAsync(Unit("b", 0, withEvent: true), CancellationToken.None);
        var plain = writer.CommitAsync(Unit("c", 0), CancellationToken.None);
        var second = await store.Started.Reader.ReadAsync();
        Assert.Equal(["c"], second.Units.Select(u => u.Unit.States[0].Key.GrainKey));
        store.Release();

        await Task.WhenAll(evented, alsoEvented, plain);
        Assert.Equal([["a"], ["c"], ["b"]], store.Batches.Select(keys => keys.ToArray()));
    }

    [Fact]
    public async Task Batches_appending_events_overlap_when_the_store_orders_appends_itself()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 2, serializeEventBatches: false, metrics: null, NullLogger.Instance);
        store.Hold();
        var first = writer.CommitAsync(Unit("a", 0, withEvent: true), CancellationToken.None);
        await store.Started.Reader.ReadAsync();

        var second = writer.CommitAsync(Unit("b", 0, withEvent: true), CancellationToken.None);
        Assert.Equal(["b"], (await store.Started.Reader.ReadAsync()).Units.Select(u => u.Unit.States[0].Key.GrainKey));
        store.Release();

        await Task.WhenAll(first, second);
    }

    [Fact]
    public async Task A_failed_transaction_fails_every_unit_but_a_lost_version_check_stays_a_conflict()
    {
        var failure = new InvalidOperationException("connection lost");
        var store = new ScriptedStore { Failure = failure, ConflictKey = "lost" };
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        writer.Pause();

        var writes = Enumerable.Range(0, 3).Select(i => writer.CommitAsync(Unit($"k{i}", 0), CancellationToken.None)).ToList();
        var lost = writer.CommitAsync(Unit("lost", 0), CancellationToken.None);
        writer.Resume();

        foreach (var write in writes)
        {
            Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => write));
        }

        await Assert.ThrowsAsync<InconsistentStateException>(() => lost);
    }

    [Fact]
    public async Task A_unit_cancelled_while_queued_never_reaches_the_store()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        using var cancellation = new CancellationTokenSource();
        writer.Pause();

        var cancelled = writer.CommitAsync(Unit("gone", 0), cancellation.Token);
        var kept = writer.CommitAsync(Unit("kept", 0), CancellationToken.None);
        await cancellation.CancelAsync();
        writer.Resume();

        await kept;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal([["kept"]], store.Batches.Select(keys => keys.ToArray()));
    }

    [Fact]
    public async Task Disposing_drains_accepted_units_then_rejects()
    {
        var store = new ScriptedStore();
        var writer = new GroupCommitWriter(store, "test", maxBatchSize: 2, maxBatchBytes: 1 << 20, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        writer.Pause();
        var writes = Enumerable.Range(0, 5).Select(i => writer.CommitAsync(Unit($"k{i}", 0), CancellationToken.None)).ToList();

        await writer.DisposeAsync();

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.CommitAsync(Unit("late", 0), CancellationToken.None));
    }

    [Fact]
    public async Task A_caller_blocking_in_its_continuation_never_stalls_the_loop()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);
        using var callerGate = new ManualResetEventSlim();

        // Asked to run synchronously, the continuation would block the loop if it ran inline. The
        // writer is paused so that it is attached before the unit completes (a continuation attached
        // to a completed task runs on the attaching thread).
        writer.Pause();
        var blocked = writer.CommitAsync(Unit("first", 0), CancellationToken.None)
            .ContinueWith(_ => callerGate.Wait(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        writer.Resume();
        await store.Started.Reader.ReadAsync();
        var next = writer.CommitAsync(Unit("second", 0), CancellationToken.None);

        try
        {
            Assert.Equal(1, (await next.WaitAsync(TimeSpan.FromSeconds(30)))[0]);
        }
        finally
        {
            callerGate.Set();
        }

        await blocked;
    }

    [Fact]
    public async Task Invalid_keys_fail_their_own_call_before_joining_a_batch()
    {
        var store = new ScriptedStore();
        await using var writer = new GroupCommitWriter(store, "test", maxBatchSize: 100, maxBatchBytes: 1 << 20, maxConcurrentBatches: 1, serializeEventBatches: true, metrics: null, NullLogger.Instance);

        Assert.Throws<ArgumentException>(() => { _ = writer.CommitAsync(WriteUnit.Of(new StateWrite(new GrainStateKey("t", "s", "nul\0"), 0, s_payload)), CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = writer.CommitAsync(WriteUnit.Of(new StateWrite(default, 0, s_payload)), CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = writer.CommitAsync(WriteUnit.Of(new StateWrite(new GrainStateKey("t", "\ud800", "k"), 0, s_payload)), CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = writer.CommitAsync(new WriteUnit([], [new StreamEventWrite("s", "k", null!)]), CancellationToken.None); });
        Assert.Equal(1, (await writer.CommitAsync(WriteUnit.Of(new StateWrite(new GrainStateKey("t", "s", "emoji \ud83d\ude00"), 0, s_payload)), CancellationToken.None))[0]);
        Assert.Single(store.Batches);
    }

    private static WriteUnit Unit(string key, long expected, bool withEvent = false) =>
        new([new StateWrite(new GrainStateKey("t", "s", key), expected, s_payload)], withEvent ? [new StreamEventWrite("stream", key, s_payload)] : null);

    /// <summary>
    /// Commits every unit (or marks <see cref="ConflictKey"/> lost); can hold batches until released
    /// and fail them after deciding.
    /// </summary>
    private sealed class ScriptedStore : IWriteBatchExecutor
    {
        private readonly ConcurrentQueue<string[]> _batches = new();
        private TaskCompletionSource _gate = Completed();

        public Exception? Failure { get; init; }

        public string? ConflictKey { get; init; }

        public System.Threading.Channels.Channel<WriteBatch> Started { get; } = System.Threading.Channels.Channel.CreateUnbounded<WriteBatch>();

        public IEnumerable<string[]> Batches => _batches;

        public IEnumerable<int> BatchSizes => _batches.Select(b => b.Length);

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public async Task ExecuteAsync(WriteBatch batch)
        {
            _batches.Enqueue([.. batch.Units.Select(u => u.Unit.States[0].Key.GrainKey)]);
            Started.Writer.TryWrite(batch);
            await _gate.Task;
            foreach (var unit in batch.Units)
            {
                var write = unit.Unit.States[0];
                if (write.Key.GrainKey == ConflictKey)
                {
                    unit.MarkConflict(write.Key, write.ExpectedVersion, 7);
                }
                else
                {
                    unit.MarkWritten();
                }
            }

            if (Failure is not null)
            {
                throw Failure;
            }
        }

        private static TaskCompletionSource Completed()
        {
            var completed = new TaskCompletionSource();
            completed.SetResult();
            return completed;
        }
    }
}
