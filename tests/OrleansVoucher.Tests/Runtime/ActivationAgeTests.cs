using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Transactions;
using OrleansVoucher.Testing;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// An activation serves calls for at most <see cref="SiloOptions.MaxActivationAge"/>: the first call to
/// find it older goes to a fresh activation, which reads the grain's states again, and calls queued on
/// a busy one move to the fresh one in their order. One holding a transaction's draft is kept until it
/// hears the outcome, or for the pending lease at most. An age of 0 never replaces an activation.
/// </summary>
public sealed class ActivationAgeTests
{
    private static readonly TimeSpan s_age = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_never = TimeSpan.FromDays(365);

    [Fact]
    public async Task An_idle_activation_past_the_age_is_replaced_by_the_call_that_finds_it()
    {
        var time = new ManualTimeProvider();
        await using var silo = await StartAsync(time, s_age);
        using var recorder = new MeterRecorder(silo);
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("idle");
        Assert.Equal(1, await grain.IncrementAsync());
        var first = (await grain.GetReportAsync()).ActivationId;

        time.Advance(s_age - TimeSpan.FromTicks(1));
        Assert.Equal(first, (await grain.GetReportAsync()).ActivationId);

        time.Advance(TimeSpan.FromTicks(1));
        var report = await grain.GetReportAsync();
        Assert.NotEqual(first, report.ActivationId);
        Assert.True(report.Activated);
        Assert.Equal(1, report.ValueOnActivate);
        Assert.Equal(["idle:deactivate:Aged"], silo.Probe.Events.Where(e => e.Contains(":deactivate:", StringComparison.Ordinal)));
        Assert.Equal(1, silo.Runtime.ActivationCount);
        Assert.Equal(1, recorder.Total("orleansvoucher.silo.activations.aged"));

        // The fresh activation's age starts when it read its states.
        time.Advance(s_age - TimeSpan.FromTicks(1));
        Assert.Equal(report.ActivationId, (await grain.GetReportAsync()).ActivationId);
    }

    [Fact]
    public async Task Calls_queued_on_a_busy_activation_past_the_age_run_on_a_fresh_one_in_their_order()
    {
        var time = new ManualTimeProvider();
        await using var silo = await StartAsync(time, s_age);
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("busy");
        var first = (await grain.GetReportAsync()).ActivationId;
        var holding = grain.HoldAsync("busy-may-finish");
        await silo.Probe.WhenSet("busy:holding").WaitAsync(TestSilo.Hang);
        var queued = Enumerable.Range(0, 5).Select(_ => grain.IncrementAsync()).ToArray();

        time.Advance(s_age);
        silo.Probe.Set("busy-may-finish");
        await holding.WaitAsync(TestSilo.Hang);

        var results = await Task.WhenAll(queued).WaitAsync(TestSilo.Hang);
        Assert.Equal([1, 2, 3, 4, 5], results);
        var report = await grain.GetReportAsync();
        Assert.NotEqual(first, report.ActivationId);
        Assert.Equal(5, report.Value);
        Assert.Equal(2, silo.Probe.Count("busy:activations"));
        Assert.Equal(["busy:deactivate:Aged"], silo.Probe.Events.Where(e => e.Contains(":deactivate:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_activation_holding_a_transactions_draft_is_kept_past_the_age_until_it_hears_the_outcome()
    {
        var time = new ManualTimeProvider();
        await using var silo = await StartAsync(time, s_age);
        var grain = silo.Grains.GetGrain<IDraftGrain>("held");
        var first = (await grain.GetAsync()).ActivationId;
        await using var transaction = new TransactionCoordinator(silo.Storage);
        await transaction.PrepareAsync(grain.PrepareAsync(transaction.Id, 7), grain.CompleteAsync);

        time.Advance(s_age);
        var pending = await grain.GetAsync();
        Assert.Equal(first, pending.ActivationId);
        Assert.True(pending.Busy);

        // The outcome finds its draft; the next call finds the activation free to be replaced.
        Assert.True(await transaction.CommitAsync());
        var after = await grain.GetAsync();
        Assert.NotEqual(first, after.ActivationId);
        Assert.Equal(7, after.Value);
        Assert.False(after.Busy);
        Assert.Equal(["held:deactivate:Aged"], silo.Probe.Events.Where(e => e.Contains(":deactivate:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_draft_whose_outcome_never_comes_keeps_its_activation_no_longer_than_the_pending_lease()
    {
        var time = new ManualTimeProvider();
        await using var silo = await StartAsync(time, s_age);
        var grain = silo.Grains.GetGrain<IDraftGrain>("abandoned");
        var first = (await grain.GetAsync()).ActivationId;
        await grain.PrepareAsync(TransactionId.New(), 7);

        time.Advance(TransactionalState<CounterState>.PendingLease - TimeSpan.FromTicks(1));
        Assert.Equal(first, (await grain.GetAsync()).ActivationId);

        time.Advance(TimeSpan.FromTicks(1));
        var after = await grain.GetAsync();
        Assert.NotEqual(first, after.ActivationId);
        Assert.Equal(0, after.Value);
        Assert.False(after.Busy);
    }

    [Fact]
    public async Task An_age_of_zero_never_replaces_an_activation()
    {
        var time = new ManualTimeProvider();
        await using var silo = await StartAsync(time, TimeSpan.Zero);
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("kept");
        var first = (await grain.GetReportAsync()).ActivationId;

        time.Advance(TimeSpan.FromDays(300));

        Assert.Equal(first, (await grain.GetReportAsync()).ActivationId);
        Assert.Equal(1, silo.Probe.Count("kept:activations"));
    }

    [Fact]
    public async Task A_negative_age_is_refused_at_start()
    {
        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => TestSilo.StartAsync(options: o => o.MaxActivationAge = TimeSpan.FromSeconds(-1)));
        Assert.Contains("Silo:MaxActivationAge", refused.Message, StringComparison.Ordinal);
    }

    // Idle collection and the expired-state sweep stay out of the way of the clock these tests move.
    private static Task<TestSilo> StartAsync(ManualTimeProvider time, TimeSpan age) =>
        TestSilo.StartAsync(
            options: o =>
            {
                o.MaxActivationAge = age;
                o.CollectionAge = s_never;
                o.CollectionQuantum = s_never;
                o.ResponseTimeout = s_never;
            },
            timeProvider: time,
            services: s => s.Configure<ExpiredStateSweepOptions>(o => o.Enabled = false));
}
