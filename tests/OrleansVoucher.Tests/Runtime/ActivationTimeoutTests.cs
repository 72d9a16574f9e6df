using OrleansVoucher.Testing;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// Activation and deactivation hooks are bounded by their timeouts even when they ignore the
/// cancellation token: a hook that hangs must not wedge its grain for the life of the silo.
/// </summary>
public sealed class ActivationTimeoutTests
{
    private static readonly TimeSpan s_activationTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_deactivationTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_activation_hook_running_past_ActivationTimeout_fails_the_waiting_calls_and_the_next_call_retries()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(options: Timeouts, timeProvider: time);
        var grain = silo.Grains.GetGrain<IFlakyActivationGrain>("hung");

        var waiting = Enumerable.Range(0, 3).Select(_ => grain.GetAttemptAsync()).ToArray();
        await silo.Probe.WhenCount("hung:attempts", 1).WaitAsync(TestSilo.Hang);
        time.Advance(s_activationTimeout);

        foreach (var call in waiting)
        {
            var failure = await Assert.ThrowsAsync<ActivationFailedException>(() => call.WaitAsync(TestSilo.Hang));
            Assert.IsType<TimeoutException>(failure.InnerException);
        }

        Assert.Equal(0, silo.Runtime.ActivationCount);
        silo.Probe.Set("hung:release:2");
        Assert.Equal(2, await grain.GetAttemptAsync().WaitAsync(TestSilo.Hang));

        // The abandoned hook finishing late changes nothing.
        silo.Probe.Set("hung:release:1");
        Assert.Equal(2, await grain.GetAttemptAsync().WaitAsync(TestSilo.Hang));
        Assert.Equal(1, silo.Runtime.ActivationCount);
    }

    [Fact]
    public async Task A_deactivation_hook_running_past_DeactivationTimeout_lets_the_grain_activate_again()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(options: Timeouts, timeProvider: time);
        var grain = silo.Grains.GetGrain<IFlushOnDeactivateGrain>("stuck");
        Assert.Equal(5, await grain.AddAsync(5));
        silo.Probe.Increment("stuck:hold-deactivation");

        await grain.DeactivateAsync();
        await silo.Probe.WhenSet("stuck:deactivating").WaitAsync(TestSilo.Hang);
        var arriving = grain.AddAsync(1);
        time.Advance(s_deactivationTimeout);

        // The hook never wrote, so the next activation starts from the empty store.
        Assert.Equal(1, await arriving.WaitAsync(TestSilo.Hang));
        Assert.Equal(1, silo.Runtime.ActivationCount);

        // Lets the hooks finish, the abandoned one and the one shutdown runs.
        silo.Probe.Set("stuck:may-deactivate");
    }

    private static void Timeouts(OrleansVoucher.Silo.Hosting.SiloOptions options)
    {
        options.ActivationTimeout = s_activationTimeout;
        options.DeactivationTimeout = s_deactivationTimeout;
        options.ResponseTimeout = TimeSpan.FromDays(1);
    }
}
