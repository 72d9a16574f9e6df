using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

public sealed class SmokeTests
{
    [Fact]
    public async Task Counter_increments_and_persists_across_deactivation()
    {
        await using var silo = await TestSilo.StartAsync();
        var counter = silo.Grains.GetGrain<ICounterGrain>("a");
        Assert.Equal(1, await counter.IncrementAsync());
        Assert.Equal(2, await counter.IncrementAsync());
        await counter.DeactivateAsync();
        Assert.Equal(2, await counter.GetAsync());
        Assert.Equal(2L, await counter.GetVersionAsync());
    }

    [Fact]
    public async Task Ten_thousand_concurrent_increments_are_exact()
    {
        await using var silo = await TestSilo.StartAsync();
        var counter = silo.Grains.GetGrain<ICounterGrain>("b");
        await Task.WhenAll(Enumerable.Range(0, 10_000).Select(_ => Task.Run(() => counter.IncrementAsync())));
        Assert.Equal(10_000, await counter.GetAsync());
    }
}
