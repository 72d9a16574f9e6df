using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Transactions;
using OrleansVoucher.Testing;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// Idle activations are collected: those idle past the collection age, by the periodic collector or on
/// demand, and the least recently used ones when the silo holds more than its limit. Busy activations are
/// never collected, nor are those holding a transaction's draft, and a collected grain comes back from
/// its stored state. The silos here set no maximum activation age, so that only collection replaces an
/// activation.
/// </summary>
public sealed class IdleCollectionTests
{
    private static readonly TimeSpan s_age = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_never = TimeSpan.FromDays(365);

    // These silos collect rarely or never, which no sweep grace period could outlast.
    private static readonly Action<IServiceCollection> s_withoutSweep = s => s.Configure<ExpiredStateSweepOptions>(o => o.Enabled = false);

    [Fact]
    public async Task Collecting_on_demand_deactivates_only_activations_idle_past_the_age()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(
            options: o =>
            {
                o.CollectionAge = s_age;
                o.MaxActivationAge = TimeSpan.Zero;
                o.CollectionQuantum = s_never;
                o.ResponseTimeout = s_never;
            },
            timeProvider: time,
            services: s_withoutSweep);
        var old = silo.Grains.GetGrain<ILifecycleGrain>("old");
        var busy = silo.Grains.GetGrain<ILifecycleGrain>("busy");
        var young = silo.Grains.GetGrain<ILifecycleGrain>("young");
        Assert.Equal(1, await old.IncrementAsync());
        var busyActivation = (await busy.GetReportAsync()).ActivationId;
        var holding = busy.HoldAsync("busy-may-finish");
        await silo.Probe.WhenSet("busy:holding").WaitAsync(TestSilo.Hang);

        time.Advance(s_age - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await silo.Runtime.CollectIdleActivationsAsync(s_age));

        time.Advance(TimeSpan.FromSeconds(1));
        var youngActivation = (await young.GetReportAsync()).ActivationId;
        Assert.Equal(1, await silo.Runtime.CollectIdleActivationsAsync(s_age));

        Assert.Equal(["old:deactivate:IdleCollection"], silo.Probe.Events.Where(e => e.Contains(":deactivate:", StringComparison.Ordinal)));
        Assert.False(silo.Runtime.IsActive(old));
        Assert.True(silo.Runtime.IsActive(busy));
        Assert.True(silo.Runtime.IsActive(young));
        Assert.Equal(2, silo.Runtime.ActivationCount);

        // The busy call finishes on the activation it started on; finishing makes the grain recently active.
        silo.Probe.Set("busy-may-finish");
        await holding.WaitAsync(TestSilo.Hang);
        Assert.Equal(busyActivation, (await busy.GetReportAsync()).ActivationId);
        Assert.Equal(youngActivation, (await young.GetReportAsync()).ActivationId);
        Assert.Equal(0, await silo.Runtime.CollectIdleActivationsAsync(s_age));

        // The collected grain is activated again from its stored state.
        var reactivated = await old.GetReportAsync();
        Assert.Equal(1, reactivated.ValueOnActivate);
        Assert.Equal(2, await old.IncrementAsync());
        Assert.Equal(2, silo.Probe.Count("old:activations"));
    }

    [Fact]
    public async Task The_periodic_collector_deactivates_idle_activations_and_spares_busy_ones()
    {
        // One collection per quantum, and the quantum is longer than the age: advancing by one quantum
        // fires exactly one collection, which sees everything idle since the start as old enough.
        var age = TimeSpan.FromMinutes(1);
        var quantum = TimeSpan.FromMinutes(5);
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(
            options: o =>
            {
                o.CollectionAge = age;
                o.MaxActivationAge = TimeSpan.Zero;
                o.CollectionQuantum = quantum;
                o.ResponseTimeout = s_never;
            },
            timeProvider: time,
            services: s_withoutSweep);
        var idle = silo.Grains.GetGrain<ILifecycleGrain>("idle");
        var busy = silo.Grains.GetGrain<ILifecycleGrain>("busy");
        Assert.Equal(1, await idle.IncrementAsync());
        Assert.Equal(1, await busy.IncrementAsync());
        var busyActivation = (await busy.GetReportAsync()).ActivationId;
        var holding = busy.HoldAsync("busy-may-finish");
        await silo.Probe.WhenSet("busy:holding").WaitAsync(TestSilo.Hang);

        time.Advance(quantum);
        await silo.Probe.WhenCount("idle:deactivations", 1).WaitAsync(TestSilo.Hang);

        Assert.Contains("idle:deactivate:IdleCollection", silo.Probe.Events);
        Assert.False(holding.IsCompleted);
        silo.Probe.Set("busy-may-finish");
        await holding.WaitAsync(TestSilo.Hang);
        Assert.Equal(busyActivation, (await busy.GetReportAsync()).ActivationId);
        Assert.Equal(0, silo.Probe.Count("busy:deactivations"));

        // Idle through the next quantum, the formerly busy grain goes too.
        time.Advance(quantum);
        await silo.Probe.WhenCount("busy:deactivations", 1).WaitAsync(TestSilo.Hang);
        Assert.Equal(0, silo.Runtime.ActivationCount);

        Assert.Equal(2, await idle.IncrementAsync());
        Assert.Equal(2, await busy.IncrementAsync());
    }

    [Fact]
    public async Task The_periodic_collector_runs_every_quantum_and_collects_an_activation_once_it_reaches_the_age()
    {
        var quantum = TimeSpan.FromMinutes(1);
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(
            options: o =>
            {
                o.CollectionAge = s_age;
                o.MaxActivationAge = TimeSpan.Zero;
                o.CollectionQuantum = quantum;
                o.ResponseTimeout = s_never;
            },
            timeProvider: time,
            services: s_withoutSweep);
        using var meter = new MeterRecorder(silo);
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("aging");
        Assert.Equal(1, await grain.IncrementAsync());

        // Every pass of the collector records how many activations it collected, none included, so the
        // test knows when a pass is over. One quantum at a time, so each advance fires one pass.
        for (var pass = 1; pass < s_age / quantum; pass++)
        {
            time.Advance(quantum);
            await meter.WhenCount("orleansvoucher.silo.activations.collected", pass).WaitAsync(TestSilo.Hang);
            Assert.True(silo.Runtime.IsActive(grain), $"Collected after {pass} minute(s), before the collection age.");
        }

        time.Advance(quantum);
        await silo.Probe.WhenCount("aging:deactivations", 1).WaitAsync(TestSilo.Hang);
        Assert.Equal(["aging:deactivate:IdleCollection"], silo.Probe.Events.Where(e => e.Contains(":deactivate:", StringComparison.Ordinal)));
        Assert.Equal(2, await grain.IncrementAsync());
    }

    [Fact]
    public async Task An_idle_activation_holding_a_transactions_draft_is_collected_only_once_it_has_heard_the_outcome()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IDraftGrain>("pending");
        await using var transaction = new TransactionCoordinator(silo.Storage);
        await transaction.PrepareAsync(grain.PrepareAsync(transaction.Id, 3), grain.CompleteAsync);

        Assert.Equal(0, await silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero));

        Assert.True(await transaction.CommitAsync());
        Assert.Equal(1, await silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero));
        Assert.Equal(["pending:deactivate:IdleCollection"], silo.Probe.Events.Where(e => e.Contains(":deactivate:", StringComparison.Ordinal)));
        Assert.Equal(3, (await grain.GetAsync()).Value);
    }

    [Fact]
    public async Task Past_MaxActivations_the_least_recently_used_idle_activations_are_collected()
    {
        const int limit = 50;
        const int wave = 10;
        const int grains = 5 * limit;
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(
            options: o =>
            {
                o.MaxActivations = limit;
                o.CollectionAge = s_never;
                o.MaxActivationAge = TimeSpan.Zero;
                o.CollectionQuantum = s_never;
                o.ResponseTimeout = s_never;
            },
            timeProvider: time,
            services: s_withoutSweep);

        // The first grain is the least recently used of all, but it is busy the whole time.
        var busy = silo.Grains.GetGrain<ILifecycleGrain>("lru-0");
        Assert.Equal(1, await busy.IncrementAsync());
        var holding = busy.HoldAsync("busy-may-finish");
        await silo.Probe.WhenSet("lru-0:holding").WaitAsync(TestSilo.Hang);

        for (var first = 1; first < grains; first += wave)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var touched = await Task.WhenAll(Enumerable.Range(first, Math.Min(wave, grains - first))
                .Select(i => silo.Grains.GetGrain<ILifecycleGrain>($"lru-{i}").IncrementAsync()));
            Assert.All(touched, value => Assert.Equal(1, value));
        }

        // The collector works in the background; it must bring the silo back under its limit.
        await silo.Probe.WhenCount("deactivations", grains - limit).WaitAsync(TestSilo.Hang);
        Assert.InRange(silo.Runtime.ActivationCount, 1, limit + wave);
        Assert.True(silo.Runtime.IsActive(busy));
        Assert.All(Enumerable.Range(grains - wave + 1, wave - 1), i => Assert.True(silo.Runtime.IsActive(silo.Grains.GetGrain<ILifecycleGrain>($"lru-{i}"))));
        Assert.Equal(0, silo.Probe.Count("lru-0:deactivations"));

        silo.Probe.Set("busy-may-finish");
        await holding.WaitAsync(TestSilo.Hang);

        // Every grain answers from its stored state, whether it stayed resident or was collected.
        for (var first = 0; first < grains; first += wave)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var touched = await Task.WhenAll(Enumerable.Range(first, Math.Min(wave, grains - first))
                .Select(i => silo.Grains.GetGrain<ILifecycleGrain>($"lru-{i}").IncrementAsync()));
            Assert.All(touched, value => Assert.Equal(2, value));
        }

        Assert.All(
            Enumerable.Range(0, grains),
            i => Assert.True(silo.Probe.Count($"lru-{i}:activations") is 1 or 2));
    }
}
