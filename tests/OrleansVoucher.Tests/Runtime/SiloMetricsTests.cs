using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>Each silo counts its calls and activations on its own meter.</summary>
public sealed class SiloMetricsTests
{
    [Fact]
    public async Task Calls_failures_and_activations_are_counted_on_the_silos_own_meter()
    {
        await using var silo = await TestSilo.StartAsync();
        await using var other = await TestSilo.StartAsync();
        using var recorder = new MeterRecorder(silo);

        var grains = Enumerable.Range(0, 3).Select(i => silo.Grains.GetGrain<IFaultyGrain>($"m{i}")).ToArray();
        foreach (var grain in grains)
        {
            await grain.AddAsync(1, 1);
            await grain.AddLaterAsync(1, 1);
            await grain.TouchAsync(suspend: true);
        }

        await Assert.ThrowsAsync<GrainFaultException>(() => grains[0].ThrowAsync("counted", afterSuspension: false));
        await Assert.ThrowsAsync<GrainFaultException>(() => grains[1].ThrowAsync("counted too", afterSuspension: true));
        await other.Grains.GetGrain<IFaultyGrain>("elsewhere").AddAsync(1, 1);

        Assert.Equal(3, recorder.Total("orleansvoucher.silo.activations.created"));
        Assert.Equal(11, recorder.Total("orleansvoucher.silo.calls"));
        Assert.Equal(2, recorder.Total("orleansvoucher.silo.calls.failed"));
        Assert.Equal(11, recorder.Count("orleansvoucher.silo.call.duration"));
        Assert.Equal(3, recorder.Observe("orleansvoucher.silo.activations"));

        Assert.Equal(3, await silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero));
        Assert.Equal(3, recorder.Total("orleansvoucher.silo.activations.collected"));
        Assert.Equal(0, recorder.Observe("orleansvoucher.silo.activations"));
    }
}
