using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage.GroupCommit;
using OrleansVoucher.Silo.Storage.PostgreSql;

namespace OrleansVoucher.Tests.Storage;

/// <summary>
/// The contract, group commit and several-silo behaviour of the PostgreSQL store. The class shares one
/// database; every test uses its own keys and streams, and a second store stands in for a second silo.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlGrainStorageTests : GrainStorageContractTests
{
    private static readonly SemaphoreSlim s_databaseLock = new(1, 1);
    private static string? s_connectionString;

    private readonly PostgresFixture _fixture;
    private readonly SiloMetrics _metrics = new();
    private readonly List<PostgreSqlGrainStorage> _extraStores = [];

    public PostgreSqlGrainStorageTests(PostgresFixture fixture) => _fixture = fixture;

    private PostgreSqlGrainStorage Postgres => (PostgreSqlGrainStorage)Storage;

    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        await s_databaseLock.WaitAsync();
        try
        {
            s_connectionString ??= await _fixture.CreateDatabaseAsync("storage");
        }
        finally
        {
            s_databaseLock.Release();
        }

        return NewStore();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _extraStores)
        {
            await store.DisposeAsync();
        }

        _metrics.Dispose();
    }

    [Fact]
    public async Task Concurrent_units_commit_in_one_transaction()
    {
        using var listener = new StorageMetricsListener(_metrics);
        var batchesBefore = Postgres.Writer.BatchCount;
        Postgres.Writer.Pause();

        var writes = Enumerable.Range(0, 64).Select(i => Storage.WriteAsync(new StateWrite(Key($"group-{i}"), 0, Bytes("x")))).ToList();
        Postgres.Writer.Resume();

        Assert.All(await Task.WhenAll(writes), v => Assert.Equal(1, v));
        Assert.Equal(1, Postgres.Writer.BatchCount - batchesBefore);
        Assert.Equal([64], listener.BatchSizes);
    }

    [Fact]
    public async Task A_conflict_fails_only_its_own_unit_of_the_batch()
    {
        using var listener = new StorageMetricsListener(_metrics);
        var stale = Key("stale");
        var staleSingle = Key("stale-single");
        await Storage.WriteAsync(new StateWrite(stale, 0, Bytes("1")));
        await Storage.WriteAsync(new StateWrite(staleSingle, 0, Bytes("1")));
        Postgres.Writer.Pause();

        var singles = Enumerable.Range(0, 5).Select(i => Storage.CommitAsync(
            new WriteUnit([new StateWrite(Key($"single-{i}"), 0, Bytes("x"))], [new StreamEventWrite(Stream, $"single-{i}", Bytes("e"))]),
            CancellationToken.None)).ToList();
        var pairs = Enumerable.Range(0, 5).Select(i => Storage.CommitAsync(
            new WriteUnit([new StateWrite(Key($"pair-{i}"), 0, Bytes("x")), new StateWrite(Key($"pair-{i}", "second"), 0, Bytes("y"))], [new StreamEventWrite(Stream, $"pair-{i}", Bytes("e"))]),
            CancellationToken.None)).ToList();
        var losingPair = Storage.CommitAsync(
            new WriteUnit([new StateWrite(Key("loser"), 0, Bytes("x")), new StateWrite(stale, 0, Bytes("y"))], [new StreamEventWrite(Stream, "loser", Bytes("e"))]),
            CancellationToken.None);
        var losingSingle = Storage.CommitAsync(
            new WriteUnit([new StateWrite(staleSingle, 5, Bytes("z"))], [new StreamEventWrite(Stream, "loser", Bytes("e"))]),
            CancellationToken.None);
        Postgres.Writer.Resume();

        await Task.WhenAll(singles.Concat(pairs));
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => losingPair);
        Assert.Equal(stale, conflict.Key);
        Assert.Equal(1, conflict.StoredVersion);
        Assert.Equal(1, (await Assert.ThrowsAsync<InconsistentStateException>(() => losingSingle)).StoredVersion);
        Assert.Equal(StoredState.Absent, await Storage.ReadAsync(Key("loser"), CancellationToken.None));
        var events = await Storage.ReadStreamAsync(Stream, 0, 100, CancellationToken.None);
        Assert.Equal(10, events.Count);
        Assert.DoesNotContain(events, e => e.Key == "loser");
        Assert.Equal([1, 1, 12], listener.BatchSizes);
        Assert.Equal(2, listener.Conflicts);
    }

    [Fact]
    public async Task Batches_of_ordinary_size_reuse_a_generic_plan_and_larger_or_careful_ones_are_planned_for_their_arrays()
    {
        static WriteBatch BatchOf(int states) => new([new PendingWrite(new WriteUnit([.. Enumerable.Range(0, states).Select(i => new StateWrite(new("t", "s", $"k{i}"), 0, [1]))]))]);

        async Task<string?> PlanCacheModeAsync(WriteBatch batch, bool optimistic = true)
        {
            await using var connection = await Postgres.BatchWriter.DataSourceFor(batch, optimistic).OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SHOW plan_cache_mode", connection);
            return (string?)await command.ExecuteScalarAsync();
        }

        Assert.Equal("auto", await PlanCacheModeAsync(BatchOf(PostgreSqlBatchWriter.GenericPlanMaxRows)));
        Assert.Equal("force_custom_plan", await PlanCacheModeAsync(BatchOf(PostgreSqlBatchWriter.GenericPlanMaxRows + 1)));
        Assert.Equal("force_custom_plan", await PlanCacheModeAsync(BatchOf(1), optimistic: false));
    }

    [Fact]
    public async Task A_generic_plan_made_while_the_tables_are_new_finds_states_by_key_not_by_scanning()
    {
        // A generic plan is kept for as long as the connection lives, or until an ANALYZE invalidates it.
        // One made while grain_state is new (never analyzed, nearly empty) must still reach rows through
        // the primary key: a sequential scan would read the whole table on every batch once it has grown.
        const string Schema = "never_analyzed";
        var store = NewStore(Schema);
        await store.InitializeAsync(CancellationToken.None);
        var commands = new PostgreSqlCommands(Schema);
        var batch = new WriteBatch([new PendingWrite(new WriteUnit([new StateWrite(Key("a"), 0, [1]), new StateWrite(Key("b"), 0, [1])]))]);
        await using var connection = await store.BatchWriter.DataSourceFor(batch, optimistic: true).OpenConnectionAsync();
        var plans = new List<string>();
        const string WriteParameters = "int4[], text[], text[], text[], int8[], bytea[], bool[], timestamptz[], int4[], text[], text[], bytea[], int8";
        foreach (var (sql, types) in new[]
        {
            (commands.Write(guarded: true, withEvents: true, optimistic: true), WriteParameters),
            (commands.Write(guarded: false, withEvents: false, optimistic: true), WriteParameters),
            (commands.ReadStream, "text, int8, int4"),
        })
        {
            var parameters = types.Split(',').Length;
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var setUp = new NpgsqlCommand($"SET LOCAL plan_cache_mode = force_generic_plan; PREPARE generic_plan({types}) AS {sql}", connection, transaction))
            {
                await setUp.ExecuteNonQueryAsync();
            }

            try
            {
                var nulls = string.Join(", ", Enumerable.Repeat("NULL", parameters));
                await using var explain = new NpgsqlCommand($"EXPLAIN EXECUTE generic_plan({nulls})", connection, transaction);
                await using var reader = await explain.ExecuteReaderAsync();
                var plan = new StringBuilder();
                while (await reader.ReadAsync())
                {
                    plan.AppendLine(reader.GetString(0));
                }

                plans.Add(plan.ToString());
            }
            finally
            {
                await using var deallocate = new NpgsqlCommand("DEALLOCATE generic_plan", connection, transaction);
                await deallocate.ExecuteNonQueryAsync();
            }
        }

        Assert.All(plans, plan => Assert.Contains("Index", plan, StringComparison.Ordinal));
        Assert.All(plans, plan => Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_conflict_fails_only_its_own_unit_when_the_batch_statement_runs_on_a_reused_plan()
    {
        // PostgreSQL plans a prepared statement for its parameters five times, then may reuse a generic
        // plan: enough rounds that every pooled connection has run the guarded statement on one.
        for (var round = 0; round < 16; round++)
        {
            var stale = Key($"reused-stale-{round}");
            await Storage.WriteAsync(new StateWrite(stale, 0, Bytes("1")));
            Postgres.Writer.Pause();
            var pairs = Enumerable.Range(0, 3).Select(i => Storage.CommitAsync(
                new WriteUnit([new StateWrite(Key($"reused-{round}-{i}"), 0, Bytes("x")), new StateWrite(Key($"reused-{round}-{i}", "second"), 0, Bytes("y"))], [new StreamEventWrite(Stream, $"reused-{round}-{i}", Bytes("e"))]),
                CancellationToken.None)).ToList();
            var losing = Storage.CommitAsync(
                new WriteUnit([new StateWrite(Key($"reused-loser-{round}"), 0, Bytes("x")), new StateWrite(stale, 0, Bytes("y"))], [new StreamEventWrite(Stream, $"reused-loser-{round}", Bytes("e"))]),
                CancellationToken.None);
            Postgres.Writer.Resume();

            await Task.WhenAll(pairs);
            var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => losing);
            Assert.Equal(stale, conflict.Key);
            Assert.Equal(1, conflict.StoredVersion);
            Assert.Equal(StoredState.Absent, await Storage.ReadAsync(Key($"reused-loser-{round}"), CancellationToken.None));
        }

        var events = await Storage.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None);
        Assert.Equal(48, events.Count);
        Assert.DoesNotContain(events, e => e.Key.StartsWith("reused-loser-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_conflict_fails_only_its_own_unit_of_a_batch_too_large_for_a_generic_plan()
    {
        var stale = Key("large-stale");
        await Storage.WriteAsync(new StateWrite(stale, 0, Bytes("1")));
        Postgres.Writer.Pause();
        var pairs = Enumerable.Range(0, (PostgreSqlBatchWriter.GenericPlanMaxRows / 2) + 1).Select(i => Storage.CommitAsync(
            new WriteUnit([new StateWrite(Key($"large-{i}"), 0, Bytes("x")), new StateWrite(Key($"large-{i}", "second"), 0, Bytes("y"))]),
            CancellationToken.None)).ToList();
        var losing = Storage.CommitAsync(new WriteUnit([new StateWrite(Key("large-loser"), 0, Bytes("x")), new StateWrite(stale, 0, Bytes("y"))]), CancellationToken.None);
        Postgres.Writer.Resume();

        await Task.WhenAll(pairs);
        Assert.Equal(stale, (await Assert.ThrowsAsync<InconsistentStateException>(() => losing)).Key);
        Assert.Equal(StoredState.Absent, await Storage.ReadAsync(Key("large-loser"), CancellationToken.None));
        Assert.Equal(Bytes("y"), (await Storage.ReadAsync(Key("large-7", "second"), CancellationToken.None)).Payload);
    }

    [Fact]
    public async Task A_batch_of_plain_updates_fails_only_its_stale_writers_and_names_their_stored_versions()
    {
        var keys = Enumerable.Range(0, 8).Select(i => Key($"plain-{i}")).ToArray();
        foreach (var key in keys)
        {
            await Storage.WriteAsync(new StateWrite(key, 0, Bytes("1")));
        }

        await Storage.WriteAsync(new StateWrite(keys[2], 1, Bytes("2")));
        await Storage.WriteAsync(new StateWrite(keys[5], 1, Bytes("2")));
        await Storage.WriteAsync(new StateWrite(keys[5], 2, Bytes("3")));
        var missing = Key("plain-missing");
        using var listener = new StorageMetricsListener(_metrics);
        Postgres.Writer.Pause();

        // Every unit updates one state it believes exists at version 1; three of them are wrong.
        var writes = keys.Append(missing).Select(k => Storage.WriteAsync(new StateWrite(k, 1, Bytes("new")))).ToList();
        Postgres.Writer.Resume();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                return (Version: await w, Stored: (long?)null);
            }
            catch (InconsistentStateException conflict)
            {
                return (Version: -1L, Stored: conflict.StoredVersion);
            }
        }));
        Assert.Equal([9], listener.BatchSizes);
        Assert.Equal([(2L, null), (2, null), (-1, 2), (2, null), (2, null), (-1, 3), (2, null), (2, null), (-1, 0)], outcomes.Select(o => (o.Version, o.Stored)));
        Assert.Equal(3, listener.Conflicts);
        Assert.Equal(Bytes("new"), (await Storage.ReadAsync(keys[0], CancellationToken.None)).Payload);
        Assert.Equal(Bytes("2"), (await Storage.ReadAsync(keys[2], CancellationToken.None)).Payload);
        Assert.Equal(Bytes("3"), (await Storage.ReadAsync(keys[5], CancellationToken.None)).Payload);
        Assert.Equal(StoredState.Absent, await Storage.ReadAsync(missing, CancellationToken.None));
    }

    [Fact]
    public async Task Creating_a_state_that_exists_fails_alone_when_its_batch_runs_again_carefully()
    {
        var logger = new CollectingLogger<PostgreSqlGrainStorage>();
        var store = NewStore(logger: logger);
        await store.InitializeAsync(CancellationToken.None);
        var existing = Key("exists-already");
        await store.WriteAsync(new StateWrite(existing, 0, Bytes("first")));
        store.Writer.Pause();

        var creations = Enumerable.Range(0, 5).Select(i => store.WriteAsync(new StateWrite(Key($"new-{i}"), 0, Bytes("x")))).ToList();
        var recreation = store.WriteAsync(new StateWrite(existing, 0, Bytes("again")));
        store.Writer.Resume();

        Assert.All(await Task.WhenAll(creations), v => Assert.Equal(1, v));
        Assert.Equal(1, (await Assert.ThrowsAsync<InconsistentStateException>(() => recreation)).StoredVersion);
        Assert.Equal(Bytes("first"), (await store.ReadAsync(existing, CancellationToken.None)).Payload);
        Assert.Contains(3112, logger.EventIds);
    }

    [Fact]
    public async Task A_bulk_copy_meeting_an_existing_state_fails_and_the_careful_run_rejects_only_its_unit()
    {
        var logger = new CollectingLogger<PostgreSqlGrainStorage>();
        var store = NewStore(logger: logger);
        await store.InitializeAsync(CancellationToken.None);
        var existing = Key("copy-existing-7");
        await store.WriteAsync(new StateWrite(existing, 0, Bytes("first")));
        var counter = Key("copy-counter", "issuer");
        var otherCounter = Key("copy-other-counter", "issuer");
        await store.WriteAsync(new StateWrite(counter, 0, Bytes("0")));
        await store.WriteAsync(new StateWrite(otherCounter, 0, Bytes("0")));
        var losing = Enumerable.Range(0, 50).Select(i => Key($"copy-existing-{i}")).ToList();
        var winning = Enumerable.Range(0, 50).Select(i => Key($"copy-winning-{i}")).ToList();
        var batchesBefore = store.Writer.BatchCount;
        store.Writer.Pause();

        var losingUnit = store.CommitAsync(BulkUnit(losing, counter, 1, "losing"), CancellationToken.None);
        var winningUnit = store.CommitAsync(BulkUnit(winning, otherCounter, 1, "winning"), CancellationToken.None);
        var single = store.CommitAsync(new WriteUnit([new StateWrite(Key("copy-single"), 0, Bytes("s"))], [new StreamEventWrite(Stream, "single", Bytes("s"))]), CancellationToken.None);
        store.Writer.Resume();

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => losingUnit);
        Assert.Equal(existing, conflict.Key);
        Assert.Equal(1, conflict.StoredVersion);
        Assert.Equal(51, (await winningUnit).Count);
        Assert.Equal([1L], await single);
        Assert.Equal(1, store.Writer.BatchCount - batchesBefore);
        Assert.Contains(3112, logger.EventIds);
        Assert.Equal(Bytes("first"), (await store.ReadAsync(existing, CancellationToken.None)).Payload);
        Assert.Equal(1, (await store.ReadAsync(counter, CancellationToken.None)).Version);
        Assert.Equal(2, (await store.ReadAsync(otherCounter, CancellationToken.None)).Version);
        await using var connection = new NpgsqlConnection(s_connectionString);
        await connection.OpenAsync();
        Assert.Equal(1L, await CountAsync(connection, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = $1 AND grain_key LIKE 'copy-existing-%'", existing.GrainType));
        Assert.Equal(50L, await CountAsync(connection, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = $1 AND grain_key LIKE 'copy-winning-%' AND version = 1", existing.GrainType));
        var events = await store.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None);
        // The careful run appends every event through the statement, in batch order.
        Assert.Equal([.. Enumerable.Repeat("winning", 50), "single"], events.Select(e => e.Key));
        Assert.Equal(winning.Select(k => k.GrainKey), events.Take(50).Select(e => System.Text.Encoding.UTF8.GetString(e.Payload)));
    }

    [Fact]
    public async Task A_copied_unit_whose_update_misses_is_rolled_back_and_its_batch_commits_without_it()
    {
        // The bulk unit's new states are copied before the statement finds its counter stale, so the
        // unit is half written: the transaction rolls back and the batch runs again without it (3111).
        var logger = new CollectingLogger<PostgreSqlGrainStorage>();
        var store = NewStore(logger: logger);
        await store.InitializeAsync(CancellationToken.None);
        var stale = Key("copy-stale-counter", "issuer");
        await store.WriteAsync(new StateWrite(stale, 0, Bytes("0")));
        await store.WriteAsync(new StateWrite(stale, 1, Bytes("1")));
        var counter = Key("copy-fresh-counter", "issuer");
        await store.WriteAsync(new StateWrite(counter, 0, Bytes("0")));
        var lost = Enumerable.Range(0, 30).Select(i => Key($"copy-lost-{i}")).ToList();
        var kept = Enumerable.Range(0, 30).Select(i => Key($"copy-kept-{i}")).ToList();
        store.Writer.Pause();

        var staleUnit = store.CommitAsync(BulkUnit(lost, stale, 1, "stale"), CancellationToken.None);
        var freshUnit = store.CommitAsync(BulkUnit(kept, counter, 1, "fresh"), CancellationToken.None);
        store.Writer.Resume();

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => staleUnit);
        Assert.Equal(stale, conflict.Key);
        Assert.Equal(2, conflict.StoredVersion);
        Assert.Equal(31, (await freshUnit).Count);
        Assert.Contains(3111, logger.EventIds);
        foreach (var key in lost)
        {
            Assert.Equal(StoredState.Absent, await store.ReadAsync(key, CancellationToken.None));
        }

        foreach (var key in kept)
        {
            Assert.Equal(new StoredState(1, Bytes(key.GrainKey)), await store.ReadAsync(key, CancellationToken.None), StoredStateComparer.Instance);
        }

        Assert.Equal(["fresh"], (await store.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None)).Select(e => e.Key).Distinct());
    }

    [Fact]
    public async Task Units_writing_the_same_state_wait_for_each_other()
    {
        var key = Key("queued");
        var batchesBefore = Postgres.Writer.BatchCount;
        Postgres.Writer.Pause();

        var first = Storage.WriteAsync(new StateWrite(key, 0, Bytes("1")));
        var second = Storage.WriteAsync(new StateWrite(key, 1, Bytes("2")));
        var other = Storage.WriteAsync(new StateWrite(Key("bystander"), 0, Bytes("b")));
        Postgres.Writer.Resume();

        Assert.Equal(1, await first);
        Assert.Equal(2, await second);
        Assert.Equal(1, await other);
        Assert.Equal(2, Postgres.Writer.BatchCount - batchesBefore);
    }

    [Fact]
    public async Task Concurrent_reads_are_answered_by_one_query()
    {
        using var listener = new StorageMetricsListener(_metrics);
        await Storage.WriteAsync(new StateWrite(Key("read-0"), 0, Bytes("zero")));
        await Storage.WriteAsync(new StateWrite(Key("read-1"), 0, null));
        Postgres.Reader.Pause();

        var reads = Enumerable.Range(0, 40).Select(i => Storage.ReadAsync(Key($"read-{i % 20}"), CancellationToken.None)).ToList();
        Postgres.Reader.Resume();

        var states = await Task.WhenAll(reads);
        Assert.Equal(Bytes("zero"), states[0].Payload);
        Assert.Equal(Bytes("zero"), states[20].Payload);
        Assert.NotSame(states[0].Payload, states[20].Payload);
        Assert.Equal(new StoredState(1, null), states[1]);
        Assert.All(states.Where((_, i) => i % 20 > 1), s => Assert.Equal(StoredState.Absent, s));
        Assert.Equal([20], listener.ReadBatchSizes);
    }

    [Fact]
    public async Task Two_silos_never_lose_an_increment()
    {
        var second = await NewInitializedStoreAsync();
        var key = Key("counter");

        await Task.WhenAll(SqliteGrainStorageTests.IncrementAsync(Storage, key, 1000), SqliteGrainStorageTests.IncrementAsync(second, key, 1000));

        var state = await Storage.ReadAsync(key, CancellationToken.None);
        Assert.Equal(2000, state.Version);
        Assert.Equal(2000, BitConverter.ToInt32(state.Payload));
    }

    [Fact]
    public async Task Two_silos_racing_units_over_the_same_states_keep_them_in_step()
    {
        var second = await NewInitializedStoreAsync();
        var a = Key("pair-a");
        var b = Key("pair-b");

        // Both silos create the same two states at once (racing inserts of rows neither can lock), then
        // keep writing both in one unit, each in its own order.
        await Task.WhenAll(MoveBothAsync(Storage, a, b, 100), MoveBothAsync(second, b, a, 100));

        var stateA = await Storage.ReadAsync(a, CancellationToken.None);
        var stateB = await Storage.ReadAsync(b, CancellationToken.None);
        Assert.Equal(200, stateA.Version);
        Assert.Equal(200, stateB.Version);
        Assert.Equal(stateA.Payload, stateB.Payload);
    }

    [Theory]
    [InlineData(true, 3112)]
    [InlineData(false, 3111)]
    public async Task A_unit_losing_an_insert_to_another_silo_fails_alone_and_leaves_nothing(bool optimisticInserts, int expectedPath)
    {
        // Optimistic inserts fail the whole statement on the lost insert and the batch runs again with
        // conflict-tolerant inserts (3112); those can leave a unit half written, which is undone by
        // rolling back and running the batch without it (3111).
        var logger = new CollectingLogger<PostgreSqlGrainStorage>();
        var store = NewStore(optimisticInserts: optimisticInserts, logger: logger);
        await store.InitializeAsync(CancellationToken.None);
        var existing = Key("existing");
        var contested = Key("contested");
        await store.WriteAsync(new StateWrite(existing, 0, Bytes("before")));

        // Another silo inserts the contested row and keeps its transaction open: the batch cannot lock
        // a row it cannot see, so its insert waits for that transaction and loses once it commits.
        await using var otherSilo = new NpgsqlConnection(s_connectionString);
        await otherSilo.OpenAsync();
        await using var otherTransaction = await otherSilo.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO orleans_voucher.grain_state VALUES ($1, $2, $3, 1, 'other'::bytea, now())", otherSilo, otherTransaction))
        {
            AddKey(insert, contested);
            await insert.ExecuteNonQueryAsync();
        }

        store.Writer.Pause();
        var halfWritten = store.CommitAsync(
            new WriteUnit([new StateWrite(existing, 1, Bytes("after")), new StateWrite(contested, 0, Bytes("mine"))], [new StreamEventWrite(Stream, "half", Bytes("never"))]),
            CancellationToken.None);
        var bystander = store.CommitAsync(
            new WriteUnit([new StateWrite(Key("bystander-a"), 0, Bytes("a")), new StateWrite(Key("bystander-b"), 0, Bytes("b"))], [new StreamEventWrite(Stream, "bystander", Bytes("kept"))]),
            CancellationToken.None);
        store.Writer.Resume();
        await WaitUntilABackendWaitsForALockAsync();
        await otherTransaction.CommitAsync();

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => halfWritten);
        Assert.Equal(contested, conflict.Key);
        Assert.Equal([1L, 1L], await bystander);
        var state = await store.ReadAsync(existing, CancellationToken.None);
        Assert.Equal(1, state.Version);
        Assert.Equal(Bytes("before"), state.Payload);
        Assert.Equal(Bytes("other"), (await store.ReadAsync(contested, CancellationToken.None)).Payload);
        Assert.Equal(["bystander"], (await store.ReadStreamAsync(Stream, 0, 10, CancellationToken.None)).Select(e => e.Key));
        Assert.Contains(expectedPath, logger.EventIds);
    }

    [Fact]
    public async Task A_reader_paging_a_stream_while_two_silos_append_sees_every_event_once()
    {
        var second = await NewInitializedStoreAsync();
        var appendersDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task AppendAsync(IGrainStorage store, string silo)
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
            {
                for (var i = 0; i < 25; i++)
                {
                    await store.CommitAsync(
                        new WriteUnit([new StateWrite(Key($"{silo}-{worker}-{i}"), 0, Bytes("s"))], [new StreamEventWrite(Stream, silo, Bytes($"{silo}-{worker}-{i}"))]),
                        CancellationToken.None);
                }
            }));
        }

        var appending = Task.WhenAll(AppendAsync(Storage, "one"), AppendAsync(second, "two"))
            .ContinueWith(t => appendersDone.TrySetResult(), TaskScheduler.Default);
        var seen = new List<StoredStreamEvent>();
        var after = 0L;
        while (true)
        {
            var finished = appendersDone.Task.IsCompleted;
            var page = await Storage.ReadStreamAsync(Stream, after, 7, CancellationToken.None);
            seen.AddRange(page);
            if (page.Count > 0)
            {
                after = page[^1].Sequence;
            }
            else if (finished)
            {
                break;
            }
        }

        await appending;
        var all = await Storage.ReadStreamAsync(Stream, 0, 1000, CancellationToken.None);
        Assert.Equal(400, all.Count);
        Assert.Equal(all.Select(e => e.Sequence), seen.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Disposing_commits_accepted_units_and_rejects_new_ones()
    {
        Postgres.Writer.Pause();
        // The store's own commit tasks: an async wrapper over them (WriteAsync) completes in a continuation
        // that may still be on its way when disposal returns.
        var writes = Enumerable.Range(0, 10).Select(i => Storage.CommitAsync(WriteUnit.Of(new StateWrite(Key($"drain-{i}"), 0, Bytes("x"))), CancellationToken.None)).ToList();

        await Postgres.DisposeAsync();

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.WriteAsync(new StateWrite(Key("late"), 0, Bytes("x"))));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.ReadAsync(Key("late"), CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.ReadManyAsync([Key("late"), Key("drain-0")], CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.ReadStreamAsync(Stream, 0, 1, CancellationToken.None));
        var other = await NewInitializedStoreAsync();
        Assert.Equal(1, (await other.ReadAsync(Key("drain-9"), CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_failed_transaction_fails_every_unit_in_it()
    {
        // A store whose schema was never created: the batch's statement fails as a whole.
        var broken = NewStore("never_created");
        broken.Writer.Pause();

        var writes = Enumerable.Range(0, 3).Select(i => broken.WriteAsync(new StateWrite(Key($"broken-{i}"), 0, Bytes("x")))).ToList();
        broken.Writer.Resume();

        foreach (var write in writes)
        {
            var failure = await Assert.ThrowsAsync<PostgresException>(() => write);
            Assert.Equal(PostgresErrorCodes.UndefinedTable, failure.SqlState);
        }
    }

    [Fact]
    public async Task Silos_starting_at_once_migrate_a_new_schema_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => NewStore("started_together")).ToList();

        await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));

        await using var connection = new NpgsqlConnection(s_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT array_agg(version) FROM started_together.schema_version", connection);
        var versions = (int[])(await command.ExecuteScalarAsync())!;
        Assert.Equal([1, 2, 3, 4], versions);
        Assert.Equal(1, await stores[3].WriteAsync(new StateWrite(Key("migrated"), 0, Bytes("x"))));
    }

    [Fact]
    public async Task Conflict_tolerant_inserts_record_the_expiry_too()
    {
        var store = NewStore(optimisticInserts: false);
        await store.InitializeAsync(CancellationToken.None);
        var expiresAt = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var single = Key("careful-single");
        var pair = Key("careful-pair");

        await store.WriteAsync(new StateWrite(single, 0, Bytes("x"), expiresAt));
        await store.CommitAsync(new WriteUnit([new StateWrite(pair, 0, Bytes("x"), expiresAt), new StateWrite(Key("careful-pair", "second"), 0, Bytes("x"))]), CancellationToken.None);

        await using var connection = new NpgsqlConnection(s_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT grain_key, state_name, expires_at FROM orleans_voucher.grain_state WHERE grain_type = $1 ORDER BY grain_key, state_name", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = single.GrainType });
        var rows = new List<(string, string, DateTimeOffset?)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        Assert.Equal([("careful-pair", "second", null), ("careful-pair", "state", expiresAt), ("careful-single", "state", expiresAt)], rows);
    }

    [Fact]
    public async Task A_sweep_skips_a_state_a_writer_holds_and_keeps_it_once_rewritten_with_a_later_expiry()
    {
        var key = Key("held-by-writer");
        var sweepTime = new DateTimeOffset(2032, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("x"), sweepTime.AddHours(-1)));

        // Another silo is rewriting the state, with a later expiry, in a transaction not yet committed.
        await using var otherSilo = new NpgsqlConnection(s_connectionString);
        await otherSilo.OpenAsync();
        await using var otherTransaction = await otherSilo.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE orleans_voucher.grain_state SET version = 2, expires_at = $4 WHERE grain_type = $1 AND state_name = $2 AND grain_key = $3", otherSilo, otherTransaction))
        {
            AddKey(update, key);
            update.Parameters.Add(new NpgsqlParameter { Value = sweepTime.AddHours(1) });
            await update.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await Storage.DeleteExpiredAsync(sweepTime, 10, CancellationToken.None));
        await otherTransaction.CommitAsync();
        Assert.Equal(0, await Storage.DeleteExpiredAsync(sweepTime, 10, CancellationToken.None));

        Assert.Equal(2, (await Storage.ReadAsync(key, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_silo_stalled_inside_a_transaction_holds_its_locks_only_until_its_idle_timeout()
    {
        var key = Key("held-by-stalled-silo");
        await Storage.WriteAsync(new StateWrite(key, 0, Bytes("1")));

        // Another silo, on the store's own connections, rewrote the state in a transaction and then
        // stopped (paused, starved, cut off) before committing: its row lock stays while it is stalled.
        var stalledSilo = NewStore(idleInTransactionTimeout: TimeSpan.FromSeconds(1));
        await using var connection = await stalledSilo.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE orleans_voucher.grain_state SET version = 2 WHERE grain_type = $1 AND state_name = $2 AND grain_key = $3", connection, transaction))
        {
            AddKey(update, key);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        // The server ends the stalled session after its idle timeout: the waiting write goes through
        // and finds the version the stalled transaction never committed.
        Assert.Equal(2, await Storage.WriteAsync(new StateWrite(key, 1, Bytes("2"))).WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => transaction.CommitAsync());
        Assert.Equal(Bytes("2"), (await Storage.ReadAsync(key, CancellationToken.None)).Payload);
    }

    [Fact]
    public async Task A_schema_of_the_first_release_migrates_keeping_its_states_as_never_expiring()
    {
        const string Schema = "released_v1";
        var key = Key("from-v1");
        await using (var connection = new NpgsqlConnection(s_connectionString))
        {
            await connection.OpenAsync();
            var commands = new PostgreSqlCommands(Schema);
            await using var command = new NpgsqlCommand(
                $"CREATE SCHEMA {Schema}; {commands.CreateSchemaVersionTable}; {commands.Migrations[0].Sql}; INSERT INTO {Schema}.schema_version (version) VALUES (1);",
                connection);
            await command.ExecuteNonQueryAsync();
            await using var insert = new NpgsqlCommand($"INSERT INTO {Schema}.grain_state VALUES ($1, $2, $3, 4, 'old'::bytea, now())", connection);
            AddKey(insert, key);
            await insert.ExecuteNonQueryAsync();
        }

        var store = NewStore(Schema);
        await store.InitializeAsync(CancellationToken.None);

        Assert.Equal(new StoredState(4, Bytes("old")), await store.ReadAsync(key, CancellationToken.None), StoredStateComparer.Instance);
        Assert.Equal(0, await store.DeleteExpiredAsync(DateTimeOffset.MaxValue, 10, CancellationToken.None));
        Assert.Equal(5, await store.WriteAsync(new StateWrite(key, 4, Bytes("new"), DateTimeOffset.UnixEpoch)));
        Assert.Equal(1, await store.DeleteExpiredAsync(DateTimeOffset.UnixEpoch.AddTicks(10), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Events_of_the_first_release_are_read_in_order_after_migrating_and_each_event_has_one_index_entry()
    {
        const string Schema = "released_v1_events";
        await using var connection = new NpgsqlConnection(s_connectionString);
        await connection.OpenAsync();
        var commands = new PostgreSqlCommands(Schema);
        await using (var command = new NpgsqlCommand(
            $"""
            CREATE SCHEMA {Schema}; {commands.CreateSchemaVersionTable}; {commands.Migrations[0].Sql}; INSERT INTO {Schema}.schema_version (version) VALUES (1);
            INSERT INTO {Schema}.stream_event (stream, stream_key, payload, committed_at)
            SELECT CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, 'k' || i, convert_to(i::text, 'UTF8'), now() FROM generate_series(1, 6) AS i;
            """,
            connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        var store = NewStore(Schema);
        await store.InitializeAsync(CancellationToken.None);
        await store.CommitAsync(new WriteUnit([], [new StreamEventWrite("even", "k8", Bytes("8"))]), CancellationToken.None);

        var even = await store.ReadStreamAsync("even", 0, 10, CancellationToken.None);
        Assert.Equal(["k2", "k4", "k6", "k8"], even.Select(e => e.Key));
        Assert.Equal(even.OrderBy(e => e.Sequence).Select(e => e.Sequence), even.Select(e => e.Sequence));
        Assert.Equal(["k6", "k8"], (await store.ReadStreamAsync("even", even[1].Sequence, 10, CancellationToken.None)).Select(e => e.Key));

        await using var indexes = new NpgsqlCommand($"SELECT indexdef FROM pg_indexes WHERE schemaname = '{Schema}' AND tablename = 'stream_event'", connection);
        var definitions = new List<string>();
        await using (var reader = await indexes.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                definitions.Add(reader.GetString(0));
            }
        }

        Assert.Equal($"CREATE UNIQUE INDEX stream_event_pkey ON {Schema}.stream_event USING btree (stream, sequence)", Assert.Single(definitions));
    }

    [Fact]
    public async Task Large_states_and_events_are_stored_compressed_with_lz4_and_read_back_whole()
    {
        var key = Key("large");
        var stream = "large-events";
        var payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2_000).Select(i => $"{{\"voucher\":\"FJ{i:D8}\"}},")));
        await Storage.CommitAsync(new WriteUnit([new StateWrite(key, 0, payload)], [new StreamEventWrite(stream, "k", payload)]), CancellationToken.None);

        await using var connection = new NpgsqlConnection(s_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT pg_column_compression(payload) FROM orleans_voucher.grain_state WHERE grain_type = $1 AND state_name = $2 AND grain_key = $3),
                   (SELECT pg_column_compression(payload) FROM orleans_voucher.stream_event WHERE stream = $4)
            """,
            connection);
        AddKey(command, key);
        command.Parameters.Add(new NpgsqlParameter { Value = stream });
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal("lz4", reader.GetString(0));
            Assert.Equal("lz4", reader.GetString(1));
        }

        Assert.Equal(payload, (await Storage.ReadAsync(key, CancellationToken.None)).Payload);
        Assert.Equal(payload, Assert.Single(await Storage.ReadStreamAsync(stream, 0, 10, CancellationToken.None)).Payload);
    }

    private static async Task WaitUntilABackendWaitsForALockAsync()
    {
        // Polls the server's activity view, each query a round trip and its own transaction (a
        // transaction would keep seeing its first snapshot of the view); no timer is involved.
        await using var observer = new NpgsqlConnection(s_connectionString);
        await observer.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()", observer);
        while ((long)(await command.ExecuteScalarAsync())! == 0)
        {
        }
    }

    private static async Task MoveBothAsync(IGrainStorage store, GrainStateKey first, GrainStateKey second, int count)
    {
        for (var done = 0; done < count;)
        {
            var one = await store.ReadAsync(first, CancellationToken.None);
            var two = await store.ReadAsync(second, CancellationToken.None);
            var next = BitConverter.GetBytes(Math.Max(one.Version, two.Version) + 1);
            try
            {
                await store.CommitAsync(new WriteUnit([new StateWrite(first, one.Version, next), new StateWrite(second, two.Version, next)]), CancellationToken.None);
                done++;
            }
            catch (InconsistentStateException)
            {
                // The other silo moved first: read again and retry.
            }
        }
    }

    private async Task<PostgreSqlGrainStorage> NewInitializedStoreAsync()
    {
        var store = NewStore();
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private PostgreSqlGrainStorage NewStore(string schema = PostgreSqlStorageOptions.DefaultSchema, bool optimisticInserts = true, ILogger<PostgreSqlGrainStorage>? logger = null, TimeSpan? idleInTransactionTimeout = null)
    {
        var options = new PostgreSqlStorageOptions { ConnectionString = s_connectionString!, Schema = schema, OptimisticInserts = optimisticInserts };
        options.IdleInTransactionTimeout = idleInTransactionTimeout ?? options.IdleInTransactionTimeout;
        var store = new PostgreSqlGrainStorage(options, _metrics, logger);
        if (Storage is not null)
        {
            _extraStores.Add(store);
        }

        return store;
    }

    /// <summary>Adds a state key as parameters $1 to $3 of a hand-written statement.</summary>
    private static void AddKey(NpgsqlCommand command, GrainStateKey key)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = key.GrainType });
        command.Parameters.Add(new NpgsqlParameter { Value = key.StateName });
        command.Parameters.Add(new NpgsqlParameter { Value = key.GrainKey });
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, string grainType)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = grainType });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
