using OrleansVoucher.Silo.Transactions;
using OrleansVoucher.Testing;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// A coordinator that stops waiting for a participant's prepare (its call timed out) tells the
/// participant the transaction aborted. The prepare still runs later, from the grain's queue; the abort
/// queued behind it drops the draft at once, so the grain takes changes again instead of refusing them
/// until the pending lease runs out.
/// </summary>
public sealed class PrepareTimeoutTests
{
    private static readonly TimeSpan s_responseTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_prepare_that_runs_after_its_coordinator_gave_up_leaves_no_draft_behind()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(options: o => o.ResponseTimeout = s_responseTimeout, timeProvider: time);
        var grain = silo.Grains.GetGrain<IDraftGrain>("late");
        Assert.Equal(0, (await grain.GetAsync()).Value);

        // A call keeps the grain's turn; the prepare waits behind it past the response timeout.
        var holding = grain.HoldAsync("late:release");
        await silo.Probe.WhenSet("late:holding").WaitAsync(TestSilo.Hang);
        await using (var transaction = new TransactionCoordinator(silo.Storage))
        {
            var prepare = transaction.PrepareAsync(grain.PrepareAsync(transaction.Id, 7), grain.CompleteAsync);
            time.Advance(s_responseTimeout);
            await Assert.ThrowsAsync<GrainCallTimeoutException>(() => prepare.WaitAsync(TestSilo.Hang));
        }

        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => holding.WaitAsync(TestSilo.Hang));

        // The late prepare runs, then the abort: the next call finds no draft.
        silo.Probe.Set("late:release");
        var after = await grain.GetAsync().WaitAsync(TestSilo.Hang);
        Assert.False(after.Busy);
        Assert.Equal(0, after.Value);

        await using var next = new TransactionCoordinator(silo.Storage);
        var vote = await next.PrepareAsync(grain.PrepareAsync(next.Id, 8), grain.CompleteAsync);
        Assert.True(vote.HasWrite);
        Assert.True(await next.CommitAsync());
        Assert.Equal(8, (await grain.GetAsync()).Value);
    }
}
