using OrleansVoucher.LoadTests.Runner;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class ClosedModelTests
{
    [Fact]
    public async Task Keep_constant_runs_exactly_the_copies_asked_for()
    {
        var probe = new ConcurrencyProbe();
        var scenario = Scenario.Create("constant", probe.Step).WithLoadSimulations(Simulation.KeepConstant(8, S(2)));

        var stats = Assert.Single((await RunAsync(scenario)).Scenarios);

        Assert.Equal(8, probe.Peak);
        Assert.True(stats.Ok > 8 * 2000 / 20, $"only {stats.Ok} requests");
        Assert.Equal("closed", stats.Model);
        Assert.Equal(stats.ResponseTime, stats.ServiceTime);
        Assert.Equal(8, stats.Series[0].Target);
    }

    [Fact]
    public async Task Ramps_up_and_down_never_run_more_copies_than_the_plan_asks_for()
    {
        var clock = new ReplayClock();
        var probe = new ConcurrencyProbe(clock);
        var simulations = new[]
        {
            Simulation.RampingConstant(10, S(2)),
            Simulation.KeepConstant(10, S(1)),
            Simulation.RampingConstant(3, S(1)),
            Simulation.Pause(Ms(500)),
            Simulation.KeepConstant(6, S(1)),
        };
        var plan = new ConcurrencyPlan(simulations);
        var scenario = Scenario.Create("ramps", probe.Step).WithLoadSimulations(simulations).WithWarmUpDuration(Ms(700));

        var result = await RunAsync(clock, new RunOptions(), scenario);

        Assert.Equal(10, probe.Peak);
        var measureStart = Ms(700);
        foreach (var (at, running) in probe.Samples.Where(s => s.At >= measureStart + Ms(20)))
        {
            // A retired copy may still finish the request it started (at most one step, 20 ms, ago).
            var allowed = Math.Max(plan.CopiesAt(at - measureStart), plan.CopiesAt(at - measureStart - Ms(20)));
            Assert.True(running <= allowed, $"{running} running at {at}, the plan allows {allowed}");
        }

        Assert.Contains(probe.Samples, s => s.Running == 10);
        Assert.DoesNotContain(probe.Samples, s => s.At - measureStart > S(4) + Ms(20) && s.At - measureStart < S(4.5));
        Assert.True(Assert.Single(result.Scenarios).WarmUpRequests > 0);
    }

    [Fact]
    public async Task A_warm_up_longer_than_the_load_keeps_loading_for_its_whole_length()
    {
        // Two copies of 100 ms requests for 1 s make 20; a 3 s warm-up replays that load three times, in either model.
        var closed = Scenario.Create("closed", Taking(Ms(100))).WithLoadSimulations(Simulation.KeepConstant(2, S(1))).WithWarmUpDuration(S(3));
        var open = Scenario.Create("open", Taking(Ms(100))).WithLoadSimulations(Simulation.Inject(20, S(1), S(1))).WithWarmUpDuration(S(3));

        var result = await RunAsync(new ReplayClock(), new RunOptions(), closed, open);

        Assert.InRange(result.Scenarios[0].WarmUpRequests, 58, 62);
        Assert.Equal(60, result.Scenarios[1].WarmUpRequests);
        Assert.Equal(20, result.Scenarios[1].Requests);
    }

    [Fact]
    public async Task Iterations_for_constant_runs_exactly_that_many()
    {
        var probe = new ConcurrencyProbe();
        var scenario = Scenario.Create("batch", probe.Step).WithLoadSimulations(Simulation.IterationsForConstant(4, 101));

        var stats = Assert.Single((await RunAsync(scenario)).Scenarios);

        Assert.Equal(101, stats.Ok);
        Assert.Equal(4, probe.Peak);
    }

    [Fact]
    public void A_scenario_cannot_mix_the_open_and_the_closed_model()
    {
        var scenario = Scenario.Create("mixed", _ => Task.FromResult(Response.Ok()));
        Assert.Throws<ArgumentException>(() => scenario.WithLoadSimulations(Simulation.Inject(10, S(1), S(1)), Simulation.KeepConstant(2, S(1))));
        Assert.Throws<ArgumentException>(() => scenario.WithLoadSimulations(Simulation.Pause(S(1))));
    }

    /// <summary>A step taking 5–20 ms of clock time that records how many run at once.</summary>
    private sealed class ConcurrencyProbe(ReplayClock? clock = null)
    {
        private int _running;

        public int Peak { get; private set; }

        public List<(TimeSpan At, int Running)> Samples { get; } = [];

        public async Task<Response> Step(ScenarioContext context)
        {
            var running = Interlocked.Increment(ref _running);
            Peak = Math.Max(Peak, running);
            if (clock is not null)
            {
                Samples.Add((clock.Now, running));
            }

            await context.DelayAsync(Ms(context.Random.Next(5, 21)));
            Interlocked.Decrement(ref _running);
            return Response.Ok();
        }
    }
}
