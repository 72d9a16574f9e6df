using OrleansVoucher.LoadTests.Runner;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class CoordinatedOmissionTests
{
    [Fact]
    public async Task Requests_due_during_a_stall_count_their_wait_in_response_time_but_not_in_service_time()
    {
        // 100/s for 1 s: intended starts 0, 10, …, 990 ms; each takes 1 ms. The request due at 200 ms
        // stalls the process for 500 ms (a blocking call, a GC pause). Nothing can be sent until 700 ms;
        // the 49 requests due at 210…690 ms go out late, at 700 ms, and take 1 ms each once sent.
        var clock = new ReplayClock();
        var scenario = Scenario.Create("stall", async context =>
        {
            if (context.InvocationNumber == 20)
            {
                clock.Freeze(Ms(500));
            }

            await context.DelayAsync(Ms(1));
            return Response.Ok();
        }).WithLoadSimulations(Simulation.Inject(100, S(1), S(1)));

        var stats = Assert.Single((await RunAsync(clock, new RunOptions(), scenario)).Scenarios);

        Assert.Equal(100, stats.Ok);

        // Response time, from the intended start: 50 requests at 1 ms, the 49 late ones at
        // 700 − t + 1 = 11, 21, …, 491 ms, and the stalled one at 501 ms.
        Near(1, stats.ResponseTime.P50);
        Near(251, stats.ResponseTime.P75);
        Near(491, stats.ResponseTime.P99);
        Near(501, stats.ResponseTime.Max);

        // Service time, from the actual send: only the stalled request itself is slow.
        Near(1, stats.ServiceTime.P99);
        Near(501, stats.ServiceTime.Max);

        // The runner says how late it was.
        Near(490, stats.SendLag.Max);
    }

    [Fact]
    public async Task A_closed_model_sends_nothing_during_the_stall_and_reports_one_slow_sample()
    {
        // The same stall against one copy sending back to back: the copy waits, so the 49 requests the
        // open model would have sent are never sent, and the report sees a single slow request.
        var clock = new ReplayClock();
        var scenario = Scenario.Create("stall", async context =>
        {
            if (context.InvocationNumber == 20)
            {
                clock.Freeze(Ms(500));
            }

            await context.DelayAsync(Ms(10));
            return Response.Ok();
        }).WithLoadSimulations(Simulation.IterationsForConstant(1, 100));

        var stats = Assert.Single((await RunAsync(clock, new RunOptions(), scenario)).Scenarios);

        Assert.Equal("closed", stats.Model);
        Assert.Equal(100, stats.Ok);
        Near(10, stats.ResponseTime.P99);
        Near(510, stats.ResponseTime.Max);
        Assert.Equal(stats.ResponseTime, stats.ServiceTime);
    }

    [Fact]
    public async Task Requests_due_while_the_in_flight_limit_is_reached_are_failures_not_silence()
    {
        var running = 0;
        var peak = 0;
        var scenario = Scenario.Create("slow", async context =>
        {
            peak = Math.Max(peak, Interlocked.Increment(ref running));
            await context.DelayAsync(Ms(100));
            Interlocked.Decrement(ref running);
            return Response.Ok();
        }).WithLoadSimulations(Simulation.Inject(100, S(1), S(1)));

        var result = await RunAsync(new ReplayClock(), new RunOptions { MaxInFlight = 5 }, scenario);
        var stats = Assert.Single(result.Scenarios);

        Assert.Equal(5, peak);
        Assert.Equal(100, stats.Requests);
        Assert.Equal(50, stats.Ok);
        Assert.Equal(50, stats.Fail);
        Assert.Equal(50, stats.NotSent);
        var reason = Assert.Single(stats.FailReasons);
        Assert.Equal("in-flight limit (5) reached; not sent", reason.Reason);
        Assert.Equal(50, stats.Series.Sum(i => i.Fail));
    }

    [Fact]
    public async Task Requests_outliving_the_drain_timeout_are_cancelled_and_counted_as_failures()
    {
        var scenario = Scenario.Create("hung", async context =>
        {
            await context.DelayAsync(Timeout.InfiniteTimeSpan);
            return Response.Ok();
        }).WithLoadSimulations(Simulation.Inject(10, S(1), S(1)));

        var clock = new ReplayClock();
        var result = await RunAsync(clock, new RunOptions { DrainTimeout = S(3) }, scenario);
        var stats = Assert.Single(result.Scenarios);

        Assert.Equal(0, stats.Ok);
        Assert.Equal(10, stats.Fail);
        Assert.Equal(new ReasonCount("still running when the run ended (drain timeout)", 10), Assert.Single(stats.FailReasons));
        Assert.Equal(S(4), clock.Now);
    }

    [Fact]
    public async Task A_request_ending_while_the_interval_it_ran_in_closes_is_counted_in_the_drain_tail()
    {
        // On the system clock, so that the interval closes on one thread while the request ends, the drain
        // completes and the scenario finishes on another: the request lands in the next interval, which
        // the end of the run must close, however the two threads interleave.
        for (var run = 0; run < 50; run++)
        {
            // The first request ends at once (so that closing its interval takes a while: its histograms
            // are merged); the second waits for that interval to close and then ends.
            var scenario = Scenario.Create("edge", async context =>
            {
                if (context.InvocationNumber == 0)
                {
                    return Response.Ok(statusCode: "200");
                }

                await Task.Yield();
                while (context.Recorder.LastInterval is null)
                {
                    Thread.SpinWait(20);
                    Interlocked.MemoryBarrier();
                }

                return Response.Ok(statusCode: "200");
            }).WithLoadSimulations(Simulation.Inject(2, Ms(5), Ms(5))).WithWarmUpDuration(TimeSpan.Zero);

            var result = await new LoadRunner(new RunOptions { ReportingInterval = Ms(50) }).RunAsync([scenario]);
            var stats = Assert.Single(result.Scenarios);

            Assert.Equal(new StatusCodeCount("200", 2, 0), Assert.Single(stats.StatusCodes));
            Assert.Equal(2, stats.Ok);
            Assert.Equal(2, stats.Series.Sum(i => i.Ok));
        }
    }
}
