using OrleansVoucher.Testing;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// Grains are not reentrant, so a call that comes back to a grain still waiting for it (A calls B calls
/// A) cannot run: the response timeout breaks the cycle with <see cref="GrainCallTimeoutException"/>
/// instead of letting it hang, and the grains serve calls again afterwards.
/// </summary>
public sealed class CallCycleTimeoutTests
{
    private static readonly TimeSpan s_responseTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_cycle_fails_with_GrainCallTimeoutException_once_the_response_timeout_passes(bool grainsAlreadyActive)
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(options: o => o.ResponseTimeout = s_responseTimeout, timeProvider: time);
        var a = silo.Grains.GetGrain<ICycleGrain>("A");
        var b = silo.Grains.GetGrain<ICycleGrain>("B");
        if (grainsAlreadyActive)
        {
            // Active and idle grains take calls inline, on the caller's thread.
            Assert.Equal("A", await a.CallAsync("B", 0));
            Assert.Equal("B", await b.CallAsync("A", 0));
        }

        // A calls B, which calls A back: B's call waits in A's queue behind the call waiting for B.
        var cycle = a.CallAsync("B", 2);
        await silo.Probe.WhenSet("B:called:A:1").WaitAsync(TestSilo.Hang);
        time.Advance(s_responseTimeout - TimeSpan.FromTicks(1));
        Assert.False(cycle.IsCompleted);

        time.Advance(TimeSpan.FromTicks(1));
        var timeout = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => cycle.WaitAsync(TestSilo.Hang));
        Assert.Equal(s_responseTimeout, timeout.Timeout);

        // The cycle is unwound: both grains answer, including calls across them.
        Assert.Equal("A", await a.CallAsync("B", 0).WaitAsync(TestSilo.Hang));
        Assert.Equal("B", await b.CallAsync("A", 0).WaitAsync(TestSilo.Hang));
        Assert.Equal("A>B", await a.CallAsync("B", 1).WaitAsync(TestSilo.Hang));
        Assert.Equal("B>A", await b.CallAsync("A", 1).WaitAsync(TestSilo.Hang));
    }

    [Fact]
    public async Task A_grain_calling_itself_times_out_and_recovers()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(options: o => o.ResponseTimeout = s_responseTimeout, timeProvider: time);
        var a = silo.Grains.GetGrain<ICycleGrain>("self");

        var cycle = a.CallAsync("self", 1);
        await silo.Probe.WhenSet("self:called:self:1").WaitAsync(TestSilo.Hang);
        time.Advance(s_responseTimeout);

        var timeout = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => cycle.WaitAsync(TestSilo.Hang));
        Assert.Equal("self", timeout.Target.Key);
        Assert.Equal("self", await a.CallAsync("other", 0).WaitAsync(TestSilo.Hang));
    }
}
