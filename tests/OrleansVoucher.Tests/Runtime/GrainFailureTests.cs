using OrleansVoucher.Tests.Runtime.Grains;
using OrleansVoucher.Tests.Runtime.Stores;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// What callers see when grains fail: their own exceptions, unchanged; activation failures as
/// <see cref="ActivationFailedException"/>, retried by the next call; and a failed write discards the
/// activation's unsaved change.
/// </summary>
public sealed class GrainFailureTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task An_exception_thrown_by_a_grain_method_reaches_the_caller_unchanged_and_the_grain_stays_usable(bool queued, bool afterSuspension)
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IFaultyGrain>("thrower");
        Assert.Equal(3, await grain.AddAsync(1, 2));
        var holding = Task.CompletedTask;
        if (queued)
        {
            holding = grain.HoldAsync("go");
            await silo.Probe.WhenSet("thrower:holding").WaitAsync(TestSilo.Hang);
        }

        var message = $"fault {queued} {afterSuspension}";
        var call = grain.ThrowAsync(message, afterSuspension);
        silo.Probe.Set("go");

        var thrown = await Assert.ThrowsAsync<GrainFaultException>(() => call.WaitAsync(TestSilo.Hang));
        Assert.Same(silo.Probe.Kept<GrainFaultException>(message), thrown);
        await holding.WaitAsync(TestSilo.Hang);
        Assert.Equal(7, await grain.AddAsync(3, 4));
        Assert.Equal(queued ? 3 : 2, await grain.GetCallsAsync());
    }

    [Fact]
    public async Task Exceptions_from_every_method_shape_reach_the_caller_unchanged()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IFaultyGrain>("shapes");

        var taskOfT = await Assert.ThrowsAsync<GrainFaultException>(() => grain.ThrowWithResultAsync("task-of-t"));
        var valueTask = await Assert.ThrowsAsync<GrainFaultException>(() => grain.ThrowValueTaskAsync("value-task", afterSuspension: false).AsTask());
        var valueTaskLater = await Assert.ThrowsAsync<GrainFaultException>(() => grain.ThrowValueTaskAsync("value-task-later", afterSuspension: true).AsTask());
        var valueTaskOfT = await Assert.ThrowsAsync<GrainFaultException>(() => grain.ThrowValueTaskWithResultAsync("value-task-of-t").AsTask());

        Assert.Same(silo.Probe.Kept<GrainFaultException>("task-of-t"), taskOfT);
        Assert.Same(silo.Probe.Kept<GrainFaultException>("value-task"), valueTask);
        Assert.Same(silo.Probe.Kept<GrainFaultException>("value-task-later"), valueTaskLater);
        Assert.Same(silo.Probe.Kept<GrainFaultException>("value-task-of-t"), valueTaskOfT);
        Assert.Equal(0, await grain.GetCallsAsync());
    }

    [Fact]
    public async Task A_TimeoutException_thrown_by_a_grain_is_not_taken_for_a_response_timeout()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IFaultyGrain>("own-timeout");

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => grain.ThrowTimeoutAsync("the grain's own timeout"));

        Assert.Same(silo.Probe.Kept<TimeoutException>("the grain's own timeout"), thrown);
    }

    [Fact]
    public async Task ValueTask_methods_return_their_results_inline_and_queued()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IFaultyGrain>("value-tasks");

        // The first call waits for the activation; the later ones run inline on the idle grain.
        Assert.Equal(5, await grain.AddAsync(2, 3));
        Assert.Equal(9, await grain.AddLaterAsync(4, 5));
        await grain.TouchAsync(suspend: false);
        await grain.TouchAsync(suspend: true);

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            await grain.TouchAsync(suspend: i % 2 == 0);
            return await (i % 2 == 0 ? grain.AddAsync(i, 1) : grain.AddLaterAsync(i, 1));
        }))).WaitAsync(TestSilo.Hang);

        Assert.Equal(Enumerable.Range(1, 100), concurrent.Order());
        Assert.Equal(4 + 200, await grain.GetCallsAsync());
    }

    [Fact]
    public async Task A_failing_OnActivateAsync_fails_the_waiting_calls_and_the_next_call_retries_the_activation()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grains.GetGrain<IFlakyActivationGrain>("flaky");
        silo.Probe.Increment("flaky:failing-attempts");

        var waiting = Enumerable.Range(0, 5).Select(_ => grain.GetAttemptAsync()).ToArray();
        await silo.Probe.WhenCount("flaky:attempts", 1).WaitAsync(TestSilo.Hang);
        silo.Probe.Set("flaky:release:1");

        foreach (var call in waiting)
        {
            var failure = await Assert.ThrowsAsync<ActivationFailedException>(() => call.WaitAsync(TestSilo.Hang));
            Assert.Equal("flaky", failure.Grain.Key);
            Assert.Equal("activation 1 of flaky failed", Assert.IsType<GrainFaultException>(failure.InnerException).Message);
        }

        Assert.False(silo.Runtime.IsActive(grain));
        Assert.Equal(0, silo.Runtime.ActivationCount);

        silo.Probe.Set("flaky:release:2");
        Assert.Equal(2, await grain.GetAttemptAsync().WaitAsync(TestSilo.Hang));
        Assert.Equal(2, await grain.GetAttemptAsync());
        Assert.Equal(1, silo.Runtime.ActivationCount);
    }

    [Fact]
    public async Task A_state_that_cannot_be_read_fails_the_activation_and_the_next_call_retries()
    {
        var store = new MemoryTestStore();
        var readFails = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        readFails.SetException(new IOException("disk unreadable"));
        await using var silo = await TestSilo.StartAsync(store, decorate: inner => new InterceptingGrainStorage(inner) { ReadGate = readFails.Task });
        var storage = (InterceptingGrainStorage)silo.Storage;
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("unreadable");

        var failure = await Assert.ThrowsAsync<ActivationFailedException>(() => grain.GetReportAsync().WaitAsync(TestSilo.Hang));
        Assert.IsType<IOException>(failure.InnerException);
        Assert.Equal(0, silo.Probe.Count("unreadable:activations"));

        storage.ReadGate = null;
        Assert.Equal(1, await grain.IncrementAsync().WaitAsync(TestSilo.Hang));
        Assert.Equal(1, silo.Probe.Count("unreadable:activations"));
    }

    [Fact]
    public async Task A_failed_write_deactivates_the_activation_so_its_unsaved_change_is_discarded()
    {
        await using var silo = await TestSilo.StartAsync(new MemoryTestStore(), decorate: inner => new InterceptingGrainStorage(inner));
        var storage = (InterceptingGrainStorage)silo.Storage;
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("unlucky");
        Assert.Equal(1, await grain.IncrementAsync());
        var before = await grain.GetReportAsync();

        var fault = new IOException("connection reset");
        storage.CommitFault = _ => fault;
        Assert.Same(fault, await Assert.ThrowsAsync<IOException>(() => grain.IncrementAsync().WaitAsync(TestSilo.Hang)));
        storage.CommitFault = null;

        await silo.Probe.WhenCount("unlucky:deactivations", 1).WaitAsync(TestSilo.Hang);
        Assert.Contains("unlucky:deactivate:InconsistentState", silo.Probe.Events);
        var after = await grain.GetReportAsync();
        Assert.NotEqual(before.ActivationId, after.ActivationId);
        Assert.Equal(1, after.Value);
        Assert.Equal(2, await grain.IncrementAsync());
    }

    [Fact]
    public async Task Calls_queued_behind_a_failed_write_see_the_stored_state_not_the_discarded_change()
    {
        await using var silo = await TestSilo.StartAsync(new MemoryTestStore(), decorate: inner => new InterceptingGrainStorage(inner));
        var storage = (InterceptingGrainStorage)silo.Storage;
        var grain = silo.Grains.GetGrain<ILifecycleGrain>("queued-after-fault");
        Assert.Equal(1, await grain.IncrementAsync());

        var holding = grain.HoldAsync("go");
        await silo.Probe.WhenSet("queued-after-fault:holding").WaitAsync(TestSilo.Hang);
        var failing = grain.IncrementAsync();
        var reports = Enumerable.Range(0, 5).Select(_ => grain.GetReportAsync()).ToArray();
        var fails = 1;
        storage.CommitFault = _ => Interlocked.Decrement(ref fails) >= 0 ? new IOException("commit lost") : null;
        silo.Probe.Set("go");

        await holding.WaitAsync(TestSilo.Hang);
        await Assert.ThrowsAsync<IOException>(() => failing.WaitAsync(TestSilo.Hang));
        Assert.All(await Task.WhenAll(reports).WaitAsync(TestSilo.Hang), report => Assert.Equal(1, report.Value));
    }

    [Fact]
    public async Task Grains_call_grains_by_key_and_through_references_passed_as_arguments()
    {
        await using var silo = await TestSilo.StartAsync();
        var caller = silo.Grains.GetGrain<ICallerGrain>("caller");
        var counter = silo.Grains.GetGrain<ICounterGrain>("called");

        Assert.Equal(1, await caller.IncrementCounterAsync("called"));
        Assert.Equal(("called", 2), await caller.IncrementThroughAsync(counter));
        Assert.Equal(3, await counter.IncrementAsync());
        Assert.Equal(100 + 3, (await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => caller.IncrementCounterAsync("called"))))).Max());
    }

    [Fact]
    public async Task GetPrimaryKeyString_answers_the_key_on_references_and_inside_grains()
    {
        await using var silo = await TestSilo.StartAsync();
        var reference = silo.Grains.GetGrain<IFaultyGrain>("key/with:odd chars é");

        Assert.Equal("key/with:odd chars é", reference.GetPrimaryKeyString());
        Assert.Equal("key/with:odd chars é", await reference.GetKeyAsync());
        Assert.Equal(reference.GrainId, silo.Grains.GetGrain<IFaultyGrain>("key/with:odd chars é").GrainId);
        Assert.Equal(reference, silo.Grains.GetGrain<IFaultyGrain>("key/with:odd chars é"));
        Assert.NotEqual(reference, silo.Grains.GetGrain<IFaultyGrain>("another"));
    }

    [Fact]
    public async Task References_of_one_interface_made_at_once_each_address_their_own_grain()
    {
        await using var silo = await TestSilo.StartAsync();
        var keys = Enumerable.Range(0, 500).Select(i => $"grain-{i}").ToArray();
        var first = silo.Grains.GetGrain<IFaultyGrain>("first");
        Assert.Equal("first", await first.GetKeyAsync());

        // References are made from one per interface: none may carry another's key or activation.
        var references = keys.AsParallel().AsOrdered().Select(key => silo.Grains.GetGrain<IFaultyGrain>(key)).ToArray();
        var answers = await Task.WhenAll(references.Select(reference => reference.GetKeyAsync()));

        Assert.Equal(keys, answers);
        Assert.Equal(keys, references.Select(reference => reference.GetPrimaryKeyString()));
        Assert.Equal("first", await silo.Grains.GetGrain<IFaultyGrain>("first").GetKeyAsync());
    }
}
