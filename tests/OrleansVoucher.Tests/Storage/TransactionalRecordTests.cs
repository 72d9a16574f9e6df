using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage.PostgreSql;
using OrleansVoucher.Silo.Transactions;
using OrleansVoucher.Testing;

namespace OrleansVoucher.Tests.Storage;

/// <summary>
/// Records a grain keeps under keys of its choosing (<see cref="TransactionalRecord{TState}"/>), and
/// participants that enlist several writes: drafts become the record only once durable, a stale writer
/// fails its version check and never overwrites, and several records of one participant commit or fail together.
/// </summary>
public abstract class TransactionalRecordTests : StoreTestBase
{
    private readonly JsonGrainStateSerializer _serializer = new();
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task A_new_record_is_created_at_version_zero_without_a_read_and_read_back_as_written()
    {
        var key = Key("new");
        var record = Record(key);

        await CommitAsync(record, new Counter { Value = 1 });

        Assert.Equal(1, record.Version);
        Assert.True(record.RecordExists);
        var again = await ReadAsync(key);
        Assert.Equal(1, again.State.Value);
        Assert.Equal(1, again.Version);
    }

    [Fact]
    public async Task A_stale_record_fails_its_version_check_keeps_the_store_and_recovers_by_reading_again()
    {
        var key = Key("raced");
        var first = Record(key);
        await CommitAsync(first, new Counter { Value = 1 });
        var second = await ReadAsync(key);
        await CommitAsync(second, new Counter { Value = 2 });

        await using (var transaction = new TransactionCoordinator(Storage))
        {
            Enlist(transaction, first, new Counter { Value = 99 });
            Assert.False(await transaction.CommitAsync());
        }

        Assert.True(first.IsStale);
        Assert.Throws<InvalidOperationException>(() => first.Prepare(TransactionId.New(), new Counter()));
        Assert.Equal(2, (await ReadAsync(key)).State.Value);

        await first.ReadAsync();
        Assert.False(first.IsStale);
        Assert.Equal(2, first.State.Value);
        await CommitAsync(first, new Counter { Value = first.State.Value + 1 });
        Assert.Equal(3, (await ReadAsync(key)).State.Value);
    }

    [Fact]
    public async Task A_cleared_record_keeps_its_version_so_a_writer_that_read_before_the_clear_cannot_resurrect_it()
    {
        var key = Key("cleared");
        var writer = Record(key);
        await CommitAsync(writer, new Counter { Value = 1 });
        var clearer = await ReadAsync(key);

        await CommitAsync(clearer, null);
        Assert.False(clearer.RecordExists);

        await using var transaction = new TransactionCoordinator(Storage);
        Enlist(transaction, writer, new Counter { Value = 5 });
        Assert.False(await transaction.CommitAsync());
        var stored = await ReadAsync(key);
        Assert.False(stored.RecordExists);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task A_participants_several_writes_commit_together_and_it_hears_one_outcome_with_its_first_writes_version()
    {
        var (a, b) = (Record(Key("a")), Record(Key("b")));
        await CommitAsync(a, new Counter { Value = 1 });
        var outcomes = new List<TransactionOutcome>();

        await using (var transaction = new TransactionCoordinator(Storage))
        {
            var vote = Prepared<bool>.Of([a.Prepare(transaction.Id, new Counter { Value = 2 }), b.Prepare(transaction.Id, new Counter { Value = 1 })], true);
            Assert.Equal(2, vote.Writes.Count);
            transaction.Enlist(vote.Writes, outcome =>
            {
                outcomes.Add(outcome);
                a.Complete(outcome);
                b.Complete(outcome);
                return Task.CompletedTask;
            });
            Assert.True(await transaction.CommitAsync());
        }

        var outcome = Assert.Single(outcomes);
        Assert.Equal(TransactionStatus.Committed, outcome.Status);
        Assert.Equal(2, outcome.Version);
        Assert.Equal((2, 2, 1, 1), (a.State.Value, a.Version, b.State.Value, b.Version));
        Assert.Equal(2, (await ReadAsync(Key("a"))).State.Value);
        Assert.Equal(1, (await ReadAsync(Key("b"))).State.Value);
    }

    [Fact]
    public async Task When_one_of_a_participants_writes_is_stale_none_of_the_unit_is_written()
    {
        var (fresh, stale) = (Record(Key("fresh")), Record(Key("stale")));
        await CommitAsync(stale, new Counter { Value = 1 });
        var other = await ReadAsync(Key("stale"));
        await CommitAsync(other, new Counter { Value = 2 });

        await using (var transaction = new TransactionCoordinator(Storage))
        {
            transaction.Enlist([fresh.Prepare(transaction.Id, new Counter { Value = 1 }), stale.Prepare(transaction.Id, new Counter { Value = 3 })], outcome =>
            {
                fresh.Complete(outcome);
                stale.Complete(outcome);
                return Task.CompletedTask;
            });
            Assert.False(await transaction.CommitAsync());
        }

        Assert.True(fresh.IsStale && stale.IsStale);
        Assert.False((await ReadAsync(Key("fresh"))).RecordExists);
        Assert.Equal(2, (await ReadAsync(Key("stale"))).State.Value);
    }

    [Fact]
    public async Task A_pending_draft_makes_the_record_busy_until_its_outcome_and_an_abandoned_one_makes_it_stale()
    {
        var record = Record(Key("pending"));
        var transaction = TransactionId.New();
        record.Prepare(transaction, new Counter { Value = 1 });

        Assert.True(record.IsBusy);
        Assert.Throws<InvalidOperationException>(() => record.Prepare(TransactionId.New(), new Counter()));
        record.Complete(TransactionOutcome.Aborted(TransactionId.New()));
        Assert.True(record.IsBusy);
        Assert.False(record.IsStale);
        record.Complete(TransactionOutcome.Aborted(transaction));
        Assert.False(record.IsBusy);
        Assert.Equal(0, record.State.Value);

        // A commit of a transaction the record holds no draft of: it may have missed a change.
        record.Complete(TransactionOutcome.Committed(TransactionId.New(), 7));
        Assert.True(record.IsStale);
        await record.ReadAsync();
        Assert.False(record.IsStale);

        record.Prepare(TransactionId.New(), new Counter { Value = 1 });
        _clock.Advance(TransactionalState<Counter>.PendingLease);
        Assert.True(record.IsBusy);
        Assert.True(record.IsStale);
    }

    private TransactionalRecord<Counter> Record(GrainStateKey key) => new(key, Storage, _serializer, _clock);

    private async Task<TransactionalRecord<Counter>> ReadAsync(GrainStateKey key)
    {
        var record = Record(key);
        await record.ReadAsync();
        return record;
    }

    private async Task CommitAsync(TransactionalRecord<Counter> record, Counter? draft)
    {
        await using var transaction = new TransactionCoordinator(Storage);
        Enlist(transaction, record, draft);
        Assert.True(await transaction.CommitAsync());
    }

    private static void Enlist(TransactionCoordinator transaction, TransactionalRecord<Counter> record, Counter? draft) =>
        transaction.Enlist(record.Prepare(transaction.Id, draft), outcome =>
        {
            record.Complete(outcome);
            return Task.CompletedTask;
        });

    public sealed class Counter
    {
        public int Value { get; set; }
    }
}

public sealed class TransactionalRecordTestsOnMemory : TransactionalRecordTests
{
    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult<IGrainStorage>(new MemoryGrainStorage());
}

[Collection(PostgresCollection.Name)]
public sealed class TransactionalRecordTestsOnPostgreSql(PostgresFixture fixture) : TransactionalRecordTests
{
    private readonly SiloMetrics _metrics = new();

    protected override async Task<IGrainStorage> CreateStorageAsync() =>
        new PostgreSqlGrainStorage(new PostgreSqlStorageOptions { ConnectionString = await fixture.CreateDatabaseAsync("records") }, _metrics, null);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _metrics.Dispose();
    }
}
