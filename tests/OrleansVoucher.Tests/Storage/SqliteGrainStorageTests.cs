using Microsoft.Data.Sqlite;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage.Sqlite;

namespace OrleansVoucher.Tests.Storage;

public sealed class SqliteGrainStorageTests : GrainStorageContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleansvoucher-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly SiloMetrics _metrics = new();
    private readonly List<SqliteGrainStorage> _extraStores = [];

    private string DatabasePath => Path.Combine(_directory, "grains.db");

    private SqliteGrainStorage Sqlite => (SqliteGrainStorage)Storage;

    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult<IGrainStorage>(NewStore());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _extraStores)
        {
            await store.DisposeAsync();
        }

        _metrics.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Concurrent_units_commit_in_one_transaction()
    {
        using var listener = new StorageMetricsListener(_metrics);
        var batchesBefore = Sqlite.Writer.BatchCount;
        Sqlite.Writer.Pause();

        var writes = Enumerable.Range(0, 64).Select(i => Storage.WriteAsync(new StateWrite(Key($"group-{i}"), 0, Bytes("x")))).ToList();
        Sqlite.Writer.Resume();

        Assert.All(await Task.WhenAll(writes), v => Assert.Equal(1, v));
        Assert.Equal(1, Sqlite.Writer.BatchCount - batchesBefore);
        Assert.Equal([64], listener.BatchSizes);
    }

    [Fact]
    public async Task A_conflict_fails_only_its_own_unit_of_the_batch()
    {
        using var listener = new StorageMetricsListener(_metrics);
        var stale = Key("stale");
        await Storage.WriteAsync(new StateWrite(stale, 0, Bytes("1")));
        Sqlite.Writer.Pause();

        var writes = Enumerable.Range(0, 9).Select(i => Storage.CommitAsync(
            new WriteUnit([new StateWrite(Key($"ok-{i}"), 0, Bytes("x")), new StateWrite(Key($"ok-{i}", "second"), 0, Bytes("y"))], [new StreamEventWrite(Stream, $"ok-{i}", Bytes("e"))]),
            CancellationToken.None)).ToList();
        var losing = Storage.CommitAsync(
            new WriteUnit([new StateWrite(Key("loser"), 0, Bytes("x")), new StateWrite(stale, 0, Bytes("y"))], [new StreamEventWrite(Stream, "loser", Bytes("e"))]),
            CancellationToken.None);
        Sqlite.Writer.Resume();

        await Task.WhenAll(writes);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => losing);
        Assert.Equal(stale, conflict.Key);
        Assert.Equal(StoredState.Absent, await Storage.ReadAsync(Key("loser"), CancellationToken.None));
        Assert.Equal(9, (await Storage.ReadStreamAsync(Stream, 0, 100, CancellationToken.None)).Count);
        Assert.Equal([1, 10], listener.BatchSizes);
        Assert.Equal(1, listener.Conflicts);
    }

    [Fact]
    public async Task Units_writing_the_same_state_wait_for_each_other()
    {
        var key = Key("queued");
        var batchesBefore = Sqlite.Writer.BatchCount;
        Sqlite.Writer.Pause();

        var first = Storage.WriteAsync(new StateWrite(key, 0, Bytes("1")));
        var second = Storage.WriteAsync(new StateWrite(key, 1, Bytes("2")));
        var other = Storage.WriteAsync(new StateWrite(Key("bystander"), 0, Bytes("b")));
        Sqlite.Writer.Resume();

        Assert.Equal(1, await first);
        Assert.Equal(2, await second);
        Assert.Equal(1, await other);
        Assert.Equal(2, Sqlite.Writer.BatchCount - batchesBefore);
    }

    [Fact]
    public async Task Concurrent_reads_are_answered_by_one_batch()
    {
        using var listener = new StorageMetricsListener(_metrics);
        await Storage.WriteAsync(new StateWrite(Key("read-0"), 0, Bytes("zero")));
        Sqlite.Reader.Pause();

        var reads = Enumerable.Range(0, 40).Select(i => Storage.ReadAsync(Key($"read-{i % 20}"), CancellationToken.None)).ToList();
        Sqlite.Reader.Resume();

        var states = await Task.WhenAll(reads);
        Assert.Equal(Bytes("zero"), states[0].Payload);
        Assert.Equal(Bytes("zero"), states[20].Payload);
        Assert.NotSame(states[0].Payload, states[20].Payload);
        Assert.All(states.Where((_, i) => i % 20 != 0), s => Assert.Equal(StoredState.Absent, s));
        Assert.Equal([20], listener.ReadBatchSizes);
    }

    [Fact]
    public async Task Data_survives_reopening_the_file()
    {
        var key = Key("durable");
        await Storage.CommitAsync(new WriteUnit([new StateWrite(key, 0, Bytes("kept"))], [new StreamEventWrite(Stream, "d", Bytes("event"))]), CancellationToken.None);
        await Sqlite.DisposeAsync();

        await using var reopened = NewStore();
        await reopened.InitializeAsync(CancellationToken.None);

        var state = await reopened.ReadAsync(key, CancellationToken.None);
        Assert.Equal(new StoredState(1, null).Version, state.Version);
        Assert.Equal(Bytes("kept"), state.Payload);
        Assert.Single(await reopened.ReadStreamAsync(Stream, 0, 10, CancellationToken.None));
        Assert.Equal(2, await reopened.WriteAsync(new StateWrite(key, 1, Bytes("again"))));
    }

    [Fact]
    public async Task The_file_uses_write_ahead_logging_and_records_its_schema_version()
    {
        await Storage.InitializeAsync(CancellationToken.None);

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
        command.CommandText = "SELECT group_concat(version) FROM schema_version";
        Assert.Equal("1,2", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_file_of_the_first_release_migrates_keeping_its_states_as_never_expiring()
    {
        var path = Path.Combine(_directory, "released-v1.db");
        var key = Key("from-v1");
        using (var connection = SqliteSchema.Open(path, TimeSpan.FromSeconds(5)))
        {
            SqliteSchema.Execute(connection, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
            SqliteSchema.Execute(connection, SqliteSchema.Migrations[0].Sql);
            SqliteSchema.Execute(connection, "INSERT INTO schema_version VALUES (1, 0)");
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO grain_state VALUES ($grain_type, $state_name, $grain_key, 4, x'6f6c64', 0)";
            insert.Parameters.AddWithValue("$grain_type", key.GrainType);
            insert.Parameters.AddWithValue("$state_name", key.StateName);
            insert.Parameters.AddWithValue("$grain_key", key.GrainKey);
            insert.ExecuteNonQuery();
        }

        var store = new SqliteGrainStorage(new SqliteStorageOptions { DatabasePath = path }, _metrics);
        _extraStores.Add(store);
        await store.InitializeAsync(CancellationToken.None);

        Assert.Equal(new StoredState(4, Bytes("old")), await store.ReadAsync(key, CancellationToken.None), StoredStateComparer.Instance);
        Assert.Equal(0, await store.DeleteExpiredAsync(DateTimeOffset.MaxValue, 10, CancellationToken.None));
        Assert.Equal(5, await store.WriteAsync(new StateWrite(key, 4, Bytes("new"), DateTimeOffset.UnixEpoch)));
        Assert.Equal(1, await store.DeleteExpiredAsync(DateTimeOffset.UnixEpoch.AddTicks(10), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Two_stores_on_one_file_never_lose_an_increment()
    {
        var second = NewStore();
        await second.InitializeAsync(CancellationToken.None);
        var key = Key("counter");

        await Task.WhenAll(IncrementAsync(Storage, key, 200), IncrementAsync(second, key, 200));

        var state = await Storage.ReadAsync(key, CancellationToken.None);
        Assert.Equal(400, state.Version);
        Assert.Equal(400, BitConverter.ToInt32(state.Payload));
    }

    [Fact]
    public async Task Disposing_commits_accepted_units_and_rejects_new_ones()
    {
        Sqlite.Writer.Pause();
        var writes = Enumerable.Range(0, 10).Select(i => Storage.WriteAsync(new StateWrite(Key($"drain-{i}"), 0, Bytes("x")))).ToList();

        await Sqlite.DisposeAsync();

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.WriteAsync(new StateWrite(Key("late"), 0, Bytes("x"))));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.ReadAsync(Key("late"), CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.ReadManyAsync([Key("late"), Key("drain-0")], CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Storage.ReadStreamAsync(Stream, 0, 10, CancellationToken.None));
        await using var reopened = NewStore();
        await reopened.InitializeAsync(CancellationToken.None);
        Assert.Equal(1, (await reopened.ReadAsync(Key("drain-9"), CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_unit_cancelled_while_queued_is_never_written()
    {
        using var cancellation = new CancellationTokenSource();
        Sqlite.Writer.Pause();
        var cancelled = Storage.CommitAsync(WriteUnit.Of(new StateWrite(Key("cancelled"), 0, Bytes("x"))), cancellation.Token);

        await cancellation.CancelAsync();
        Sqlite.Writer.Resume();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(StoredState.Absent, await Storage.ReadAsync(Key("cancelled"), CancellationToken.None));
    }

    internal static async Task IncrementAsync(IGrainStorage storage, GrainStateKey key, int count)
    {
        for (var done = 0; done < count;)
        {
            var state = await storage.ReadAsync(key, CancellationToken.None);
            var value = state.Payload is null ? 0 : BitConverter.ToInt32(state.Payload);
            try
            {
                await storage.WriteAsync(new StateWrite(key, state.Version, BitConverter.GetBytes(value + 1)));
                done++;
            }
            catch (InconsistentStateException)
            {
                // Another store incremented first: read again and retry.
            }
        }
    }

    private SqliteGrainStorage NewStore()
    {
        var store = new SqliteGrainStorage(new SqliteStorageOptions { DatabasePath = DatabasePath }, _metrics);
        if (Storage is not null)
        {
            _extraStores.Add(store);
        }

        return store;
    }
}
