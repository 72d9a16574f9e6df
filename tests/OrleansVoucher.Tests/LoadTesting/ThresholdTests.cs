using OrleansVoucher.LoadTests.Runner;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class ThresholdTests
{
    [Theory]
    [InlineData("p99<=25ms", null, "p99", ThresholdOperator.LessThanOrEqual, 25)]
    [InlineData("  p99.9 < 1s ", null, "p99.9", ThresholdOperator.LessThan, 1000)]
    [InlineData("p999 <= 3", null, "p99.9", ThresholdOperator.LessThanOrEqual, 3)]
    [InlineData("p95 <= 800us", null, "p95", ThresholdOperator.LessThanOrEqual, 0.8)]
    [InlineData("mean <= 12.5ms", null, "mean", ThresholdOperator.LessThanOrEqual, 12.5)]
    [InlineData("service_p99 <= 5ms", null, "service_p99", ThresholdOperator.LessThanOrEqual, 5)]
    [InlineData("fail_percent <= 0.1", null, "fail_percent", ThresholdOperator.LessThanOrEqual, 0.1)]
    [InlineData("fail_percent<=0.1%", null, "fail_percent", ThresholdOperator.LessThanOrEqual, 0.1)]
    [InlineData("rps >= 1000", null, "rps", ThresholdOperator.GreaterThanOrEqual, 1000)]
    [InlineData("claim-storm: ok_rps > 50", "claim-storm", "ok_rps", ThresholdOperator.GreaterThan, 50)]
    public void Parses_the_written_forms(string text, string? scenario, string metric, ThresholdOperator comparison, double limit)
    {
        var threshold = Threshold.Parse(text);

        Assert.Equal(scenario, threshold.Scenario);
        Assert.Equal(metric, threshold.Metric);
        Assert.Equal(comparison, threshold.Operator);
        Assert.Equal(limit, threshold.Limit, 9);
    }

    [Theory]
    [InlineData("p99 <= fast")]
    [InlineData("latency <= 3ms")]
    [InlineData("rps >= 10ms")]
    [InlineData("p99 <= 3 minutes")]
    [InlineData("p0 <= 3ms")]
    [InlineData("p99 = 3ms")]
    public void Rejects_what_it_cannot_judge(string text) => Assert.Throws<FormatException>(() => Threshold.Parse(text));

    [Fact]
    public void Code_and_text_give_the_same_threshold()
    {
        Assert.Equal(Threshold.Parse("p99 <= 25ms").Text, Threshold.Latency("p99", ThresholdOperator.LessThanOrEqual, Ms(25)).Text);
        Assert.Equal("checkout: rps >= 1000", Threshold.Value("rps", ThresholdOperator.GreaterThanOrEqual, 1000, "checkout").Text);
    }

    [Fact]
    public async Task Thresholds_are_judged_at_the_end_and_any_broken_one_fails_the_run()
    {
        // 100/s for 2 s, 10 ms each, every tenth failing.
        var scenario = Scenario.Create("judged", async context =>
        {
            await context.DelayAsync(Ms(10));
            return context.InvocationNumber % 10 == 9 ? Response.Fail("quota exceeded", "429") : Response.Ok();
        })
        .WithLoadSimulations(Simulation.Inject(100, S(1), S(2)))
        .WithThresholds(Threshold.Parse("p99 <= 10ms"), Threshold.Parse("rps >= 90"));

        var options = new RunOptions { Thresholds = [Threshold.Parse("fail_percent <= 5"), Threshold.Parse("judged: mean < 10ms")] };
        var result = await RunAsync(new ReplayClock(), options, scenario);

        var judged = Assert.Single(result.Scenarios).Thresholds;
        Assert.Equal(4, judged.Count);
        Assert.True(judged.Single(t => t.Threshold.Metric == "p99").Passed);
        Assert.True(judged.Single(t => t.Threshold.Metric == "rps").Passed);
        var failPercent = judged.Single(t => t.Threshold.Metric == "fail_percent");
        Assert.False(failPercent.Passed);
        Assert.Equal(10, failPercent.Actual, 6);
        var mean = judged.Single(t => t.Threshold.Metric == "mean");
        Assert.False(mean.Passed);
        Assert.Equal(10, mean.Actual, 6);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task A_latency_threshold_on_a_scenario_with_no_success_fails_and_says_why()
    {
        var scenario = Scenario.Create("down", _ => Task.FromResult(Response.Fail("connection refused")))
            .WithLoadSimulations(Simulation.Inject(10, S(1), S(1)))
            .WithThresholds(Threshold.Parse("p99 <= 100ms"));

        var result = await RunAsync(scenario);

        var threshold = Assert.Single(result.Thresholds);
        Assert.False(threshold.Passed);
        Assert.Equal("no successful invocations to measure", threshold.Note);
    }

    [Fact]
    public async Task A_threshold_naming_a_scenario_not_in_the_run_is_an_error()
    {
        var runner = new LoadRunner(new RunOptions { Thresholds = [Threshold.Parse("typo: p99 <= 1ms")] });
        var scenario = Scenario.Create("real", _ => Task.FromResult(Response.Ok()));
        await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync([scenario]));
    }
}
