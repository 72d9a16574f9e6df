using OrleansVoucher.LoadTests.Runner;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class ArrivalScheduleTests
{
    [Fact]
    public void Inject_sends_rate_times_duration_requests_evenly_spaced()
    {
        var arrivals = new ArrivalSchedule([Simulation.Inject(100, S(1), S(10))]).Arrivals().ToList();

        Assert.Equal(1000, arrivals.Count);
        Assert.Equal(TimeSpan.Zero, arrivals[0]);
        Assert.All(arrivals.Zip(arrivals.Skip(1)), pair => Assert.Equal(Ms(10), pair.Second - pair.First));
        Assert.Equal(Ms(9990), arrivals[^1]);
    }

    [Fact]
    public void The_rate_is_per_interval()
    {
        Assert.Equal(200, new ArrivalSchedule([Simulation.Inject(50, Ms(500), S(2))]).Arrivals().Count());
        Assert.Equal(30, new ArrivalSchedule([Simulation.Inject(300, TimeSpan.FromMinutes(1), S(6))]).Arrivals().Count());
    }

    [Fact]
    public void A_fractional_spacing_does_not_drift_over_a_long_run()
    {
        var arrivals = new ArrivalSchedule([Simulation.Inject(3, S(1), TimeSpan.FromHours(1))]).Arrivals().ToList();

        Assert.Equal(3 * 3600, arrivals.Count);
        Assert.Equal(TimeSpan.FromSeconds(3600 - (1.0 / 3)).Ticks, arrivals[^1].Ticks, tolerance: 1);
    }

    [Fact]
    public void A_ramp_from_zero_follows_the_integral_of_the_rate()
    {
        // Rate 0 → 100/s over 10 s: 500 requests, a quarter of them in the first half.
        var schedule = new ArrivalSchedule([Simulation.RampingInject(100, S(1), S(10))]);
        var arrivals = schedule.Arrivals().ToList();

        Assert.Equal(500, arrivals.Count);
        Assert.Equal(125, arrivals.Count(a => a < S(5)));
        Assert.Equal(50, schedule.RateAt(S(5)), 6);
    }

    [Fact]
    public void Phases_join_without_a_burst_or_a_gap_and_a_pause_sends_nothing()
    {
        var arrivals = new ArrivalSchedule(
        [
            Simulation.RampingInject(100, S(1), S(2)),
            Simulation.Inject(100, S(1), S(2)),
            Simulation.Pause(S(1)),
            Simulation.Inject(10, S(1), S(1)),
        ]).Arrivals().ToList();

        Assert.Equal(100 + 200 + 10, arrivals.Count);
        var aroundJoin = arrivals.Where(a => a > Ms(1950) && a < Ms(2050)).ToList();
        Assert.All(aroundJoin.Zip(aroundJoin.Skip(1)), pair => Assert.InRange((pair.Second - pair.First).TotalMilliseconds, 9.9, 10.3));
        Assert.DoesNotContain(arrivals, a => a >= S(4) && a < S(5));
        Assert.Equal(S(5), arrivals.First(a => a >= S(4)));
    }

    [Fact]
    public void Iterations_for_inject_sends_exactly_that_many_and_a_cut_stops_the_schedule()
    {
        var iterations = new ArrivalSchedule([Simulation.IterationsForInject(200, S(1), 50)]);
        Assert.Equal(50, iterations.Arrivals().Count());
        Assert.Equal(Ms(250), iterations.Duration);

        var warmUp = new ArrivalSchedule([Simulation.Inject(100, S(1), S(10))], cut: S(1));
        Assert.Equal(100, warmUp.Arrivals().Count());
        Assert.Equal(S(1), warmUp.Duration);
    }

    [Fact]
    public void A_warm_up_longer_than_the_load_replays_it_from_the_start_for_its_whole_length()
    {
        // A 20 s warm-up before a 5 s capacity step warms up for 20 s, not 5 s and then nothing.
        var warmUp = new ArrivalSchedule([Simulation.Inject(100, S(1), S(2))], cut: S(5));
        var arrivals = warmUp.Arrivals().ToList();

        Assert.Equal(S(5), warmUp.Duration);
        Assert.Equal(500, arrivals.Count);
        Assert.All(arrivals.Zip(arrivals.Skip(1)), pair => Assert.Equal(Ms(10), pair.Second - pair.First));

        // A load bounded by iterations is sent once: its count is what the scenario planned for.
        var iterations = new ArrivalSchedule([Simulation.IterationsForInject(200, S(1), 50)], cut: S(1));
        Assert.Equal(50, iterations.Arrivals().Count());
        Assert.Equal(Ms(250), iterations.Duration);
    }

    [Fact]
    public void A_closed_ramp_moves_one_copy_at_a_time_half_way_between_whole_numbers()
    {
        var plan = new ConcurrencyPlan([Simulation.RampingConstant(4, S(4)), Simulation.KeepConstant(4, S(1)), Simulation.RampingConstant(2, S(2))]);

        Assert.Equal(new[] { Ms(0), Ms(500), Ms(1500), Ms(2500), Ms(3500) }, plan.Phases[0].Changes.Select(c => c.At));
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, plan.Phases[0].Changes.Select(c => c.Copies));
        Assert.Equal(new[] { 4, 3, 2 }, plan.Phases[2].Changes.Select(c => c.Copies));
        Assert.Equal(4, plan.MaxCopies);
        Assert.Equal(2, plan.CopiesAt(Ms(1600)));
    }

    [Fact]
    public async Task The_runner_sends_on_schedule_and_counts_every_request_in_one_interval()
    {
        var result = await RunAsync(Scenario.Create("steady", Taking(Ms(5))).WithLoadSimulations(Simulation.Inject(300, S(1), S(2))));

        var stats = Assert.Single(result.Scenarios);
        Assert.Equal(600, stats.Ok);
        Assert.Equal(0, stats.Fail);
        Assert.Equal(0, stats.SendLag.Max);
        Assert.Equal(5, stats.ResponseTime.Min);
        Assert.Equal(5, stats.ResponseTime.Max);
        Assert.Equal(stats.ResponseTime, stats.ServiceTime);
        Assert.Equal(600, stats.Series.Sum(i => i.Ok));
        Assert.Equal(299, stats.Series[0].Ok);
        Assert.Equal(300, stats.Series[0].Target, 6);
        Assert.Equal(60_000, stats.Bytes);
        Assert.Equal(2000 + 5 - (1000.0 / 300), stats.Duration.TotalMilliseconds, 0.01);
    }
}
