using System.Collections.Concurrent;
using OrleansVoucher.Testing;
using OrleansVoucher.Tests.Runtime.Grains;
using OrleansVoucher.Tests.Runtime.Stores;
using OrleansVoucher.Tests.Storage;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// Two silos (as two processes would) share one store and write the same grain: every write is checked
/// against the version its silo read, so the loser of a race fails with
/// <see cref="InconsistentStateException"/>, reloads, and nothing either silo wrote is lost or overwritten.
/// </summary>
public abstract class VersionConflictTests : StoreTests
{
    [Fact]
    public async Task The_loser_of_a_write_race_gets_InconsistentStateException_and_its_next_call_sees_the_winners_state()
    {
        await using var east = await TestSilo.StartAsync(Store);
        await using var west = await TestSilo.StartAsync(Store);
        var eastCounter = east.Grains.GetGrain<ICounterGrain>("contended");
        var westCounter = west.Grains.GetGrain<ICounterGrain>("contended");

        Assert.Equal(1, await eastCounter.IncrementAsync());
        Assert.Equal(2, await westCounter.IncrementAsync());
        Assert.Equal(3, await westCounter.IncrementAsync());

        // East still holds version 1 in memory: its write loses, and its change (2) is discarded.
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => eastCounter.IncrementAsync());
        Assert.Equal(1L, conflict.ExpectedVersion);
        Assert.Equal("contended", conflict.Key.GrainKey);

        Assert.Equal(3, await eastCounter.GetAsync());
        Assert.Equal(3L, await eastCounter.GetVersionAsync());
        Assert.Equal(4, await eastCounter.IncrementAsync());

        // Now west is the stale one.
        await Assert.ThrowsAsync<InconsistentStateException>(() => westCounter.IncrementAsync());
        Assert.Equal(5, await westCounter.IncrementAsync());
    }

    [Fact]
    public async Task A_silo_that_only_reads_sees_another_silos_writes_once_its_activation_is_past_the_maximum_age()
    {
        var time = new ManualTimeProvider();
        var age = TimeSpan.FromSeconds(30);
        await using var east = await TestSilo.StartAsync(Store, o => o.MaxActivationAge = age, time);
        await using var west = await TestSilo.StartAsync(Store, o => o.MaxActivationAge = age, time);
        var eastCounter = east.Grains.GetGrain<ICounterGrain>("read-elsewhere");
        var westCounter = west.Grains.GetGrain<ICounterGrain>("read-elsewhere");

        Assert.Equal(0, await eastCounter.GetAsync());
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, await westCounter.IncrementAsync());
        }

        // Within the age east answers from what its activation read; past it, from the store.
        time.Advance(age - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await eastCounter.GetAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await eastCounter.GetAsync());
        Assert.Equal(3L, await eastCounter.GetVersionAsync());
        Assert.Equal(4, await eastCounter.IncrementAsync());
    }

    [Fact]
    public async Task Increments_from_two_silos_retrying_on_conflict_add_up_exactly()
    {
        const int perSilo = 500;
        await using var east = await TestSilo.StartAsync(Store);
        await using var west = await TestSilo.StartAsync(Store);
        var written = new ConcurrentBag<int>();
        var conflicts = 0;

        async Task IncrementWithRetry(ICounterGrain counter)
        {
            while (true)
            {
                try
                {
                    written.Add(await counter.IncrementAsync());
                    return;
                }
                catch (InconsistentStateException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        }

        Task Workload(TestSilo silo) => Task.WhenAll(Enumerable.Range(0, perSilo).Select(_ => Task.Run(() => IncrementWithRetry(silo.Grains.GetGrain<ICounterGrain>("shared-total")))));

        await Task.WhenAll(Workload(east), Workload(west)).WaitAsync(TimeSpan.FromMinutes(2));

        // Every successful write produced a distinct value: no write was lost or overwritten.
        Assert.Equal(Enumerable.Range(1, 2 * perSilo), written.Order());
        await using var observer = await TestSilo.StartAsync(Store);
        var total = observer.Grains.GetGrain<ICounterGrain>("shared-total");
        Assert.Equal(2 * perSilo, await total.GetAsync());
        Assert.Equal(2L * perSilo, await total.GetVersionAsync());
    }
}

public sealed class MemoryVersionConflictTests : VersionConflictTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult<TestStore>(new MemoryTestStore());
}

public sealed class SqliteVersionConflictTests : VersionConflictTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult<TestStore>(new SqliteTestStore());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlVersionConflictTests(PostgresFixture fixture) : VersionConflictTests
{
    protected override async Task<TestStore> CreateStoreAsync() => await PostgresTestStore.ForClassAsync(fixture, GetType());
}
