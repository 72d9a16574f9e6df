using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>Different grains run their calls in parallel: one grain's long call holds up no other grain.</summary>
public sealed class ParallelGrainsTests
{
    [Fact]
    public async Task Two_grains_each_waiting_for_the_other_inside_a_call_both_proceed()
    {
        await using var silo = await TestSilo.StartAsync();

        // Each call returns only once both are inside their grains: if the grains ran one after the
        // other, neither would return.
        var a = silo.Grains.GetGrain<IGateGrain>("a").GatherAsync("pair", parties: 2);
        var b = silo.Grains.GetGrain<IGateGrain>("b").GatherAsync("pair", parties: 2);

        Assert.Equal(["a", "b"], await Task.WhenAll(a, b).WaitAsync(TestSilo.Hang));
    }

    [Fact]
    public async Task Two_hundred_grains_are_inside_a_call_at_the_same_time()
    {
        await using var silo = await TestSilo.StartAsync();
        var calls = Enumerable.Range(0, 200)
            .Select(i => silo.Grains.GetGrain<IGateGrain>($"g{i}").GatherAsync("crowd", parties: 200))
            .ToArray();

        var keys = await Task.WhenAll(calls).WaitAsync(TestSilo.Hang);

        Assert.Equal(200, keys.Distinct().Count());
    }

    [Fact]
    public async Task A_long_call_on_one_grain_does_not_block_calls_to_another()
    {
        await using var silo = await TestSilo.StartAsync();
        var slow = silo.Grains.GetGrain<IGateGrain>("slow");
        var fast = silo.Grains.GetGrain<IGateGrain>("fast");
        Assert.Equal("fast", await fast.PingAsync());

        var longCall = slow.WaitAsync("slow-may-finish");
        await silo.Probe.WhenSet("slow:entered").WaitAsync(TestSilo.Hang);
        var queuedBehindLongCall = slow.PingAsync();

        // The fast grain answers, inline or queued, while the slow one is busy.
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("fast", await fast.PingAsync().WaitAsync(TestSilo.Hang));
        }

        var manyFastCalls = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => fast.PingAsync()))).WaitAsync(TestSilo.Hang);
        Assert.All(manyFastCalls, key => Assert.Equal("fast", key));
        Assert.False(longCall.IsCompleted);
        Assert.False(queuedBehindLongCall.IsCompleted);

        silo.Probe.Set("slow-may-finish");
        Assert.Equal("slow", await longCall.WaitAsync(TestSilo.Hang));
        Assert.Equal("slow", await queuedBehindLongCall.WaitAsync(TestSilo.Hang));
    }
}
