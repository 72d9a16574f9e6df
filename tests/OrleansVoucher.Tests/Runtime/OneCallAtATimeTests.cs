using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>A grain runs one call at a time, from its start to the end of its task, across awaits.</summary>
public sealed class OneCallAtATimeTests
{
    [Fact]
    public async Task Ten_thousand_concurrent_calls_to_one_grain_never_overlap_and_lose_no_update()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<ITurnProbeGrain>("one");

        // Half the calls suspend between reading and writing the count, so any interleaving would lose
        // updates; they arrive from many threads while the grain is activating and while it is busy.
        var calls = Enumerable.Range(0, 10_000)
            .Select(i => Task.Run(() => grain.EnterAsync(suspend: i % 2 == 0)))
            .ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(TestSilo.Hang);

        Assert.Equal(Enumerable.Range(1, 10_000), results.Order());
        var stats = await grain.GetStatsAsync();
        Assert.Equal(10_000, stats.Calls);
        Assert.Equal(1, stats.MaxConcurrency);
    }

    [Fact]
    public async Task Calls_from_other_grains_and_from_outside_share_the_turns()
    {
        await using var silo = await TestSilo.StartAsync();
        var target = silo.Grains.GetGrain<ITurnProbeGrain>("shared");

        // Callers outside the silo and grain-to-grain callers hit the grain at once.
        var outside = Enumerable.Range(0, 1_000).Select(i => Task.Run(() => target.EnterAsync(suspend: i % 3 == 0)));
        var inside = Enumerable.Range(0, 20).Select(i => Task.Run(() => silo.Grains.GetGrain<ITurnCallerGrain>($"caller-{i}").EnterManyAsync("shared", 50)));
        await Task.WhenAll(Task.WhenAll(outside), Task.WhenAll(inside)).WaitAsync(TestSilo.Hang);

        var stats = await target.GetStatsAsync();
        Assert.Equal(2_000, stats.Calls);
        Assert.Equal(1, stats.MaxConcurrency);
    }

    [Fact]
    public async Task A_call_that_suspends_holds_the_grain_until_its_task_completes()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IFaultyGrain>("held");
        Assert.Equal(0, await grain.GetCallsAsync());

        var held = grain.HoldAsync("release");
        await silo.Probe.WhenSet("held:holding").WaitAsync(TestSilo.Hang);
        var queued = grain.GetCallsAsync();
        var queuedValueTask = grain.AddAsync(1, 2).AsTask();

        Assert.False(held.IsCompleted);
        Assert.False(queued.IsCompleted);
        Assert.False(queuedValueTask.IsCompleted);

        silo.Probe.Set("release");
        await held.WaitAsync(TestSilo.Hang);
        Assert.Equal(1, await queued.WaitAsync(TestSilo.Hang));
        Assert.Equal(3, await queuedValueTask.WaitAsync(TestSilo.Hang));
    }
}
