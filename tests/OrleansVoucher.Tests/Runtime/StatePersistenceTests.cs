using OrleansVoucher.Tests.Runtime.Grains;
using OrleansVoucher.Tests.Runtime.Stores;
using OrleansVoucher.Tests.Storage;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>A grain's state survives its deactivation and the restart of its silo, on every store.</summary>
public abstract class StatePersistenceTests : StoreTests
{
    [Fact]
    public async Task State_survives_deactivation()
    {
        await using var silo = await TestSilo.StartAsync(Store);
        var counter = silo.Grains.GetGrain<ICounterGrain>("deactivated");
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, await counter.IncrementAsync());
        }

        await counter.DeactivateAsync();
        Assert.Equal(3, await counter.GetAsync());
        Assert.Equal(3L, await counter.GetVersionAsync());
        Assert.Equal(4, await counter.IncrementAsync());
    }

    [Fact]
    public async Task State_survives_a_silo_restart()
    {
        var keys = Enumerable.Range(0, 20).Select(i => $"restart-{i}").ToArray();
        await using (var first = await TestSilo.StartAsync(Store))
        {
            await Task.WhenAll(keys.Select(async (key, i) =>
            {
                var counter = first.Grains.GetGrain<ICounterGrain>(key);
                for (var n = 0; n <= i; n++)
                {
                    await counter.IncrementAsync();
                }
            }));
        }

        await using var second = await TestSilo.StartAsync(Store);
        for (var i = 0; i < keys.Length; i++)
        {
            var counter = second.Grains.GetGrain<ICounterGrain>(keys[i]);
            Assert.Equal(i + 1, await counter.GetAsync());
            Assert.Equal(i + 1L, await counter.GetVersionAsync());
            Assert.True(await counter.GetRecordExistsAsync());
        }

        Assert.Equal(0, await second.Grains.GetGrain<ICounterGrain>("never-written").GetAsync());
        Assert.False(await second.Grains.GetGrain<ICounterGrain>("never-written").GetRecordExistsAsync());
    }

    [Fact]
    public async Task A_cleared_state_stays_cleared_after_a_restart_and_keeps_its_version()
    {
        await using (var first = await TestSilo.StartAsync(Store))
        {
            var counter = first.Grains.GetGrain<ICounterGrain>("cleared");
            await counter.IncrementAsync();
            await counter.IncrementAsync();
            await counter.ClearAsync();
            Assert.Equal(0, await counter.GetAsync());
            Assert.False(await counter.GetRecordExistsAsync());
        }

        await using var second = await TestSilo.StartAsync(Store);
        var reloaded = second.Grains.GetGrain<ICounterGrain>("cleared");
        Assert.Equal(0, await reloaded.GetAsync());
        Assert.False(await reloaded.GetRecordExistsAsync());
        Assert.Equal(3L, await reloaded.GetVersionAsync());
        Assert.Equal(1, await reloaded.IncrementAsync());
        Assert.Equal(4L, await reloaded.GetVersionAsync());
    }

    [Fact]
    public async Task A_state_written_while_the_silo_shuts_down_is_durable()
    {
        await using (var first = await TestSilo.StartAsync(Store))
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => first.Grains.GetGrain<IFlushOnDeactivateGrain>($"flush-{i}").AddAsync(i)));
        }

        await using var second = await TestSilo.StartAsync(Store);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i + 1, await second.Grains.GetGrain<IFlushOnDeactivateGrain>($"flush-{i}").AddAsync(1));
        }
    }
}

public sealed class MemoryStatePersistenceTests : StatePersistenceTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult<TestStore>(new MemoryTestStore());
}

public sealed class SqliteStatePersistenceTests : StatePersistenceTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult<TestStore>(new SqliteTestStore());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlStatePersistenceTests(PostgresFixture fixture) : StatePersistenceTests
{
    protected override async Task<TestStore> CreateStoreAsync() => await PostgresTestStore.ForClassAsync(fixture, GetType());
}
