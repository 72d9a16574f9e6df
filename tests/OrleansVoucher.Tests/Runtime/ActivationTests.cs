using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansVoucher.Tests.Runtime.Grains;
using OrleansVoucher.Tests.Runtime.Stores;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// A grain is activated by its first call: states loaded, then OnActivateAsync, then the calls; it is
/// deactivated with OnDeactivateAsync; and a grain never has two activations in one silo.
/// </summary>
public sealed class ActivationTests
{
    [Fact]
    public async Task Stored_state_is_loaded_and_OnActivateAsync_has_run_before_the_first_call()
    {
        var store = new MemoryTestStore();
        await using (var writer = await TestSilo.StartAsync(store))
        {
            var grain = writer.Grains.GetGrain<ILifecycleGrain>("loaded");
            await grain.IncrementAsync();
            await grain.IncrementAsync();
        }

        var readGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var silo = await TestSilo.StartAsync(store, decorate: inner => new InterceptingGrainStorage(inner) { ReadGate = readGate.Task });
        var storage = (InterceptingGrainStorage)silo.Storage;
        var reference = silo.Grains.GetGrain<ILifecycleGrain>("loaded");

        // Calls made while the state is being read wait for the activation.
        var calls = Enumerable.Range(0, 10).Select(_ => reference.GetReportAsync()).ToArray();
        Assert.All(calls, call => Assert.False(call.IsCompleted));
        Assert.Empty(silo.Probe.Events);

        readGate.SetResult();
        var reports = await Task.WhenAll(calls).WaitAsync(TestSilo.Hang);

        Assert.All(reports, report => Assert.Equal(new LifecycleReport(reports[0].ActivationId, Activated: true, ValueOnActivate: 2, Value: 2), report));
        Assert.Equal(1, storage.Reads);
        Assert.Equal(["loaded:activate", .. Enumerable.Repeat("loaded:call", 10)], silo.Probe.Events);
    }

    [Fact]
    public async Task OnDeactivateAsync_runs_when_the_grain_asks_to_be_deactivated_and_the_next_call_activates_afresh()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("cycle");
        var first = await grain.GetReportAsync();
        Assert.Equal(1, await grain.IncrementAsync());

        await grain.DeactivateAsync();
        await silo.Probe.WhenCount("cycle:deactivations", 1).WaitAsync(TestSilo.Hang);
        var second = await grain.GetReportAsync();

        Assert.NotEqual(first.ActivationId, second.ActivationId);
        Assert.Equal(new LifecycleReport(second.ActivationId, Activated: true, ValueOnActivate: 1, Value: 1), second);
        Assert.Equal(
            ["cycle:activate", "cycle:call", "cycle:deactivate:ApplicationRequested", "cycle:activate", "cycle:call"],
            silo.Probe.Events);
        Assert.Equal(2, silo.Probe.Count("cycle:constructed"));
    }

    [Fact]
    public async Task Calls_queued_behind_a_deactivating_call_go_to_the_next_activation()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("handover");
        var first = await grain.GetReportAsync();

        var holding = grain.HoldAsync("let-go");
        await silo.Probe.WhenSet("handover:holding").WaitAsync(TestSilo.Hang);
        var deactivate = grain.DeactivateAsync();
        var increments = Enumerable.Range(0, 20).Select(_ => grain.IncrementAsync()).ToArray();
        silo.Probe.Set("let-go");
        await Task.WhenAll(holding, deactivate).WaitAsync(TestSilo.Hang);

        Assert.Equal(Enumerable.Range(1, 20), (await Task.WhenAll(increments).WaitAsync(TestSilo.Hang)).Order());
        var after = await grain.GetReportAsync();
        Assert.NotEqual(first.ActivationId, after.ActivationId);
        Assert.Equal(20, after.Value);
        Assert.Equal(1, silo.Probe.Count("handover:deactivations"));
    }

    [Fact]
    public async Task A_call_arriving_while_the_grain_deactivates_waits_for_the_next_activation_and_sees_its_final_write()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IFlushOnDeactivateGrain>("leaving");
        Assert.Equal(5, await grain.AddAsync(5));
        silo.Probe.Increment("leaving:hold-deactivation");

        await grain.DeactivateAsync();
        await silo.Probe.WhenSet("leaving:deactivating").WaitAsync(TestSilo.Hang);
        var arriving = grain.AddAsync(1);
        var others = Enumerable.Range(0, 10).Select(_ => Task.Run(() => grain.AddAsync(0))).ToArray();
        Assert.False(arriving.IsCompleted);
        Assert.Equal(1, silo.Runtime.ActivationCount);

        // The hook's write lands before the next activation reads the state.
        silo.Probe.Set("leaving:may-deactivate");
        Assert.Equal(6, await arriving.WaitAsync(TestSilo.Hang));
        Assert.All(await Task.WhenAll(others).WaitAsync(TestSilo.Hang), value => Assert.InRange(value, 5, 6));
    }

    [Fact]
    public async Task A_storm_of_concurrent_first_calls_creates_one_activation_per_grain()
    {
        await using var silo = await TestSilo.StartAsync();
        var keys = Enumerable.Range(0, 50).Select(i => $"storm-{i}").ToArray();

        // Every call gets its own reference, as independent callers would.
        var calls = keys
            .SelectMany(key => Enumerable.Range(0, 100).Select(_ => key))
            .Select(key => Task.Run(() => silo.Grains.GetGrain<ILifecycleGrain>(key).GetReportAsync()))
            .ToArray();
        var reports = await Task.WhenAll(calls).WaitAsync(TestSilo.Hang);

        Assert.Equal(50, reports.Select(r => r.ActivationId).Distinct().Count());
        Assert.All(keys, key => Assert.Equal(1, silo.Probe.Count($"{key}:constructed")));
        Assert.All(keys, key => Assert.Equal(1, silo.Probe.Count($"{key}:activations")));
        Assert.Equal(50, silo.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Shutting_down_runs_OnDeactivateAsync_of_every_activation()
    {
        var silo = await TestSilo.StartAsync();
        await using (silo)
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => silo.Grains.GetGrain<ILifecycleGrain>($"s{i}").GetReportAsync()));
            await silo.StopAsync();
        }

        Assert.Equal(10, silo.Probe.Count("deactivations"));
        Assert.All(Enumerable.Range(0, 10), i => Assert.Contains($"s{i}:deactivate:ShuttingDown", silo.Probe.Events));
        Assert.Equal(0, silo.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Shutting_down_waits_for_a_busy_activation_to_finish_its_call()
    {
        var time = new OrleansVoucher.Testing.ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(timeProvider: time);
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("busy-at-stop");
        var holding = grain.HoldAsync("finish");
        await silo.Probe.WhenSet("busy-at-stop:holding").WaitAsync(TestSilo.Hang);

        var queued = Enumerable.Range(0, 5).Select(_ => grain.IncrementAsync()).ToArray();

        var stopping = silo.StopAsync();
        Assert.False(stopping.IsCompleted);
        Assert.Equal(0, silo.Probe.Count("deactivations"));

        // The calls queued behind the busy one run on the same activation before it deactivates.
        silo.Probe.Set("finish");
        await holding.WaitAsync(TestSilo.Hang);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, await Task.WhenAll(queued).WaitAsync(TestSilo.Hang));
        await stopping.WaitAsync(TestSilo.Hang);

        Assert.Contains("busy-at-stop:deactivate:ShuttingDown", silo.Probe.Events);
        Assert.Equal(1, silo.Probe.Count("busy-at-stop:activations"));
        Assert.Equal(0, silo.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Shutting_down_gives_up_on_a_stuck_call_when_the_host_stops_waiting()
    {
        var silo = await TestSilo.StartAsync(services: s => s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200)));
        await using (silo)
        {
            var stuck = silo.Grains.GetGrain<ILifecycleGrain>("stuck");
            var idle = silo.Grains.GetGrain<ILifecycleGrain>("idle");
            await idle.GetReportAsync();
            _ = stuck.HoldAsync("never");
            await silo.Probe.WhenSet("stuck:holding").WaitAsync(TestSilo.Hang);

            await silo.StopAsync().WaitAsync(TestSilo.Hang);

            Assert.Contains("idle:deactivate:ShuttingDown", silo.Probe.Events);
            Assert.DoesNotContain("stuck:deactivate:ShuttingDown", silo.Probe.Events);
        }
    }
}
