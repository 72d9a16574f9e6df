using OrleansVoucher.LoadTests.Runner;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansVoucher.LoadTests.Runner.Cli;
using OrleansVoucher.LoadTests.Runner.Reports;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class CapacitySearchTests
{
    // 100/s doubling, steps of 2 s after 0.5 s of warm-up, reported every 250 ms.
    private static readonly CapacityOptions s_search = new()
    {
        From = 100,
        StepDuration = S(2),
        FirstWarmUp = Ms(500),
        StepWarmUp = Ms(500),
    };

    [Fact]
    public async Task Finds_the_highest_rate_a_target_holds_then_bisects_towards_the_knee()
    {
        // One request at a time, 0.9 ms each: the target holds 1,111 requests a second. Below that every
        // request takes 0.9 ms; above it a queue builds and response time grows without bound.
        var hooks = 0;
        var target = SingleServer(Ms(0.9))
            .WithInit(init =>
            {
                hooks++;
                init.Data["programme"] = "seeded once";
                return Task.CompletedTask;
            })
            .WithClean(clean =>
            {
                hooks += 10;
                Assert.Equal("seeded once", clean.Data["programme"]);
                return Task.CompletedTask;
            });

        var result = await SearchAsync(s_search, target, "p99 <= 25ms", "fail_percent <= 0.1");
        var capacity = result.Capacity!;

        Assert.Equal(CapacityOutcome.Found, capacity.Outcome);
        Assert.Equal(1100, capacity.CapacityRps);
        Assert.Equal(1200, capacity.FirstFailingRps);
        Assert.Equal(
            new[] { "growth 100 pass", "growth 200 pass", "growth 400 pass", "growth 800 pass", "growth 1600 FAIL throughput", "bisect 1200 FAIL throughput", "bisect 1000 pass", "bisect 1100 pass" },
            capacity.Steps.Select(s => $"{s.Phase} {s.TargetRps} {s.VerdictText}"));
        var knee = capacity.Steps[4];
        Assert.Contains("p99 <= 25ms broke", knee.Reason, StringComparison.Ordinal);
        Assert.InRange(knee.AchievedOkRps, 1000, 1150);
        var held = capacity.Steps[^1];
        Near(0.9, held.ResponseTime.P99);
        Assert.InRange(held.AchievedOkRps, 1090, 1110);
        Assert.Equal(0, held.FailPercent);

        // The scenario was set up and checked once, around all the steps, and the run reported is the
        // step at the capacity rate.
        Assert.Equal(11, hooks);
        Assert.True(result.Passed);
        Assert.Equal("inject 1100/1s for 2s", Assert.Single(Assert.Single(result.Scenarios).LoadSimulations));
        Assert.Contains(result.Configuration, c => c.Key == "capacity search");
        Assert.Equal(("< 1,200/s", "lowest rate above it the target failed"), KneeTile(HtmlReport.Render(result)));
        var line = SummaryJson(result);
        Assert.Equal(1100, line.GetProperty("capacity_rps").GetDouble());
        Assert.Equal(1200, line.GetProperty("first_failing_rps").GetDouble());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("generator_limited_rps").ValueKind);
    }

    [Fact]
    public async Task A_step_whose_response_time_grows_fails_even_when_its_thresholds_and_throughput_hold()
    {
        // 3.5 % past the target's 1,111/s: throughput falls short by less than the 5 % tolerance and no
        // request fails, but the queue grows all through the step.
        var result = await SearchAsync(s_search with { From = 1150, To = 2000 }, SingleServer(Ms(0.9)), "fail_percent <= 0.1");
        var capacity = result.Capacity!;

        Assert.Equal(CapacityOutcome.BelowFrom, capacity.Outcome);
        Assert.Null(capacity.CapacityRps);
        var step = Assert.Single(capacity.Steps);
        Assert.Equal(CapacityVerdict.Growing, step.Verdict);
        Assert.True(step.LateP99 > 1.5 * step.EarlyP99, $"p99 {step.EarlyP99} ms, then {step.LateP99} ms");
        Assert.Contains("lower --from", capacity.Conclusion, StringComparison.Ordinal);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task A_load_generator_that_cannot_keep_to_the_schedule_is_reported_as_the_limit_not_the_target()
    {
        // Each request costs the generator 2 ms of its own time before it is sent on its way (slow
        // synchronous work in the step), so it can send 500 a second; the target answers in 1 ms.
        var clock = new ReplayClock();
        var scenario = Scenario.Create("busy-generator", async context =>
        {
            clock.Freeze(Ms(2));
            await context.DelayAsync(Ms(1));
            return Response.Ok("200");
        });

        var result = await SearchAsync(clock, s_search, scenario, "p99 <= 25ms");
        var capacity = result.Capacity!;

        Assert.Equal(CapacityOutcome.GeneratorLimited, capacity.Outcome);
        Assert.Equal(400, capacity.CapacityRps);
        Assert.Null(capacity.FirstFailingRps);
        Assert.Equal(800, capacity.GeneratorLimitedRps);
        var step = capacity.Steps[^1];
        Assert.Equal(CapacityVerdict.Generator, step.Verdict);
        Assert.StartsWith("the load generator fell behind", step.Reason, StringComparison.Ordinal);
        Assert.True(step.SendLag.P99 > 100, $"send lag p99 {step.SendLag.P99} ms");

        // A frozen generator is late to see the answers too, so service time grew with it: what tells the
        // generator apart is that it fell far behind its own schedule.
        Assert.True(step.ServiceTime.P99 > 25, $"service p99 {step.ServiceTime.P99} ms");
        Assert.StartsWith("The load generator, not the target, is the limit", capacity.Conclusion, StringComparison.Ordinal);
        Assert.False(result.Passed);

        // Neither the report nor the JSON line presents the generator's failure as the target's knee.
        Assert.Equal(("unknown", "800/s failed on the load generator, not the target"), KneeTile(HtmlReport.Render(result)));
        var line = SummaryJson(result);
        Assert.Equal("generator-limited", line.GetProperty("capacity_outcome").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("first_failing_rps").ValueKind);
        Assert.Equal(800, line.GetProperty("generator_limited_rps").GetDouble());
    }

    [Fact]
    public async Task A_bisection_step_the_generator_cannot_keep_up_with_leaves_the_knee_unjudged()
    {
        // The target of the first test; during the sixth step (the first bisection, at 1,200/s) the
        // generator spends 2 ms on each request before sending it.
        var clock = new ReplayClock();
        var steps = 0;
        var target = SingleServer(Ms(0.9));
        var scenario = target with
        {
            Run = context =>
            {
                steps += context.InvocationNumber == 0 ? 1 : 0;
                if (steps == 6)
                {
                    clock.Freeze(Ms(2));
                }

                return target.Run(context);
            },
        };

        var result = await SearchAsync(clock, s_search, scenario, "p99 <= 25ms");
        var capacity = result.Capacity!;

        Assert.Equal(CapacityOutcome.GeneratorLimited, capacity.Outcome);
        Assert.Equal(new[] { "1600 FAIL throughput", "1200 FAIL generator" }, capacity.Steps.Skip(4).Select(s => $"{s.TargetRps} {s.VerdictText}"));
        Assert.Equal(800, capacity.CapacityRps);
        Assert.StartsWith("The target held 800/s and failed at 1,600/s (achieved", capacity.Conclusion, StringComparison.Ordinal);
        Assert.Contains("the step at 1,200/s between them could not be judged", capacity.Conclusion, StringComparison.Ordinal);

        // The knee lies below the rate the target failed at, not the one the generator could not judge:
        // the report and the JSON line agree.
        Assert.Equal(("< 1,600/s", "lowest rate above it the target failed"), KneeTile(HtmlReport.Render(result)));
        Assert.Equal(1600, capacity.FirstFailingRps);
        Assert.Equal(1200, capacity.GeneratorLimitedRps);
        var line = SummaryJson(result);
        Assert.Equal(1600, line.GetProperty("first_failing_rps").GetDouble());
        Assert.Equal(1200, line.GetProperty("generator_limited_rps").GetDouble());
    }

    [Fact]
    public async Task Every_step_holding_up_to_the_highest_rate_gives_a_lower_bound()
    {
        var result = await SearchAsync(s_search with { To = 300 }, SingleServer(Ms(0.9)), "p99 <= 25ms");
        var capacity = result.Capacity!;

        Assert.Equal(CapacityOutcome.AboveRange, capacity.Outcome);
        Assert.Equal(new double[] { 100, 200, 300 }, capacity.Steps.Select(s => s.TargetRps));
        Assert.Equal(300, capacity.CapacityRps);
        Assert.True(result.Passed);
    }

    [Fact]
    public async Task The_checks_after_a_search_are_reported_in_the_words_of_an_ordinary_run()
    {
        var broken = await SearchAsync(s_search with { To = 200 }, SingleServer(Ms(0.9)).WithClean(_ => throw new ScenarioFailureException("invariants broken: oversold by 3")), "p99 <= 25ms");
        var held = await SearchAsync(s_search with { To = 200 }, SingleServer(Ms(0.9)).WithClean(clean =>
        {
            clean.CheckHeld("invariants hold");
            return Task.CompletedTask;
        }), "p99 <= 25ms");

        Assert.False(broken.Passed);
        Assert.Equal("CAPACITY ≥ 200/s (no step failed), 1 check failed after the run", ReportFormat.Verdict(broken));
        Assert.True(held.Passed);
        Assert.Equal("CAPACITY ≥ 200/s (no step failed)", ReportFormat.Verdict(held));
        Assert.Equal([$"{held.Scenarios[0].Name}: invariants hold"], held.CleanPasses);
    }

    [Fact]
    public async Task Every_report_shows_the_steps_and_marks_the_knee()
    {
        var result = await SearchAsync(s_search, SingleServer(Ms(0.9)), "p99 <= 25ms");
        var directory = Path.Combine(Path.GetTempPath(), "ov-capacity-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = ReportWriter.Write(result, directory);

            Assert.Contains(files, f => Path.GetFileName(f) == "capacity.csv");
            var csv = File.ReadAllLines(Path.Combine(directory, "capacity.csv"));
            Assert.Equal(1 + result.Capacity!.Steps.Count, csv.Length);
            Assert.StartsWith("step,phase,target_rps,ok_rps,", csv[0], StringComparison.Ordinal);
            Assert.Single(csv, line => line.Contains(",true,true,pass,", StringComparison.Ordinal));
            Assert.Contains(csv, line => line.StartsWith("5,growth,1600,", StringComparison.Ordinal) && line.Contains("p99 <= 25ms broke", StringComparison.Ordinal));

            var text = File.ReadAllText(Path.Combine(directory, "report.txt"));
            Assert.StartsWith("target capacity search: CAPACITY 1,100/s", text, StringComparison.Ordinal);
            Assert.Contains("pass = capacity", text, StringComparison.Ordinal);
            Assert.Contains("Below: the step at the capacity rate, 1,100/s.", text, StringComparison.Ordinal);
            Assert.Contains("## Capacity search", File.ReadAllText(Path.Combine(directory, "report.md")), StringComparison.Ordinal);
            Assert.Contains("\"capacityRps\": 1100", File.ReadAllText(Path.Combine(directory, "report.json")), StringComparison.Ordinal);

            var html = File.ReadAllText(Path.Combine(directory, "report.html"));
            Assert.Contains("id=\"capacity\"", html, StringComparison.Ordinal);
            Assert.Single(Regex.Matches(html, "<tr class=\"knee\">"));
            Assert.Equal(2, Regex.Matches(html, "<line class=\"marker\"").Count);
            Assert.Contains("capacity 1,100/s", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_search_without_a_threshold_is_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => new CapacitySearch(s_search).RunAsync(SingleServer(Ms(1))));

    [Theory]
    [InlineData("http-get", "--find-capacity")]
    [InlineData("http-get", "--find-capacity", "--threshold", "p99<=25ms", "--rate", "100")]
    [InlineData("http-get", "--find-capacity", "--threshold", "p99<=25ms", "--duration", "10s")]
    [InlineData("http-get", "--find-capacity", "--threshold", "p99<=25ms", "--concurrency", "8")]
    [InlineData("http-get", "--find-capacity", "--threshold", "p99<=25ms", "--from", "100", "--to", "50")]
    [InlineData("http-get", "--find-capacity", "--threshold", "p99<=25ms", "--from", "0")]
    [InlineData("http-get", "--find-capacity", "--threshold", "p99<=25ms", "--step-duration", "0")]
    [InlineData("http-get", "--find-capacity=yes", "--threshold", "p99<=25ms")]
    [InlineData("http-get", "--from", "100", "--threshold", "p99<=25ms")]
    [InlineData("http-get", "--step-duration", "5s")]
    [InlineData("--config", "suite.json", "--find-capacity", "--threshold", "p99<=25ms")]
    public void Capacity_command_lines_that_cannot_work_are_rejected(params string[] args) =>
        Assert.Throws<FormatException>(() => RunArguments.Parse(args));

    [Fact]
    public void The_command_line_gives_the_search_its_rates_steps_and_first_warm_up()
    {
        var arguments = RunArguments.Parse(["verify", "--find-capacity", "--threshold", "p99 <= 25ms", "--from", "50", "--to", "5_000", "--step-duration", "5s", "--warmup", "20s"]);

        Assert.Equal(new CapacityOptions { From = 50, To = 5000, StepDuration = S(5), FirstWarmUp = S(20) }, arguments.Capacity());
        Assert.Equal(S(1), arguments.Capacity()!.WarmUpOf(1));
        Assert.Null(RunArguments.Parse(["verify", "--rate", "50"]).Capacity());
    }

    [Fact]
    public void A_suite_file_can_ask_for_a_capacity_search()
    {
        var suite = SuiteConfig.Parse("""
            {
              "thresholds": ["p99 <= 25ms"],
              "capacity": { "from": 50, "to": 2000, "stepDuration": "5s", "growth": 1.5, "bisectRounds": 2 },
              "scenarios": [ { "scenario": "verify", "warmUp": "10s" } ]
            }
            """);

        var options = suite.Capacity!.ToOptions(S(10));
        Assert.Equal(new CapacityOptions { From = 50, To = 2000, StepDuration = S(5), Growth = 1.5, BisectRounds = 2, FirstWarmUp = S(10) }, options);
        Assert.Throws<FormatException>(() => new SuiteCapacity { From = 100, To = 10 }.ToOptions(S(5)));
        Assert.Throws<FormatException>(() => new SuiteCapacity { StepDuration = "soon" }.ToOptions(S(5)));
    }

    [Fact]
    public void Rates_round_to_significant_digits() =>
        Assert.Equal(new[] { 1200.0, 1100, 34, 0.15 }, new[] { CapacitySearch.RoundRate(1234, 2), CapacitySearch.RoundRate(1050, 2), CapacitySearch.RoundRate(33.75, 2), CapacitySearch.RoundRate(0.1523, 2) });

    /// <summary>The JSON line the <c>run</c> command ends its output with.</summary>
    private static JsonElement SummaryJson(RunResult result) => JsonDocument.Parse(RunCommand.SummaryLine(result, "reports/x")).RootElement;

    /// <summary>The knee tile of a capacity report: its value and note.</summary>
    private static (string Value, string Note) KneeTile(string html)
    {
        var tile = Regex.Match(html, "<div class=\"label\">knee</div><div class=\"value\">(.*?)</div><div class=\"note\">(.*?)</div>");
        Assert.True(tile.Success, "no knee tile");
        return (System.Net.WebUtility.HtmlDecode(tile.Groups[1].Value), System.Net.WebUtility.HtmlDecode(tile.Groups[2].Value));
    }

    /// <summary>
    /// A target that serves one request at a time, each taking <paramref name="each"/> of clock time, so
    /// that it holds 1/<paramref name="each"/> requests a second: below that every request takes
    /// <paramref name="each"/>, above it they queue.
    /// </summary>
    internal static Scenario SingleServer(TimeSpan each)
    {
        var freeAt = DateTimeOffset.MinValue;
        return Scenario.Create("target", async context =>
        {
            var now = context.TimeProvider.GetUtcNow();
            freeAt = (freeAt > now ? freeAt : now) + each;
            await context.DelayAsync(freeAt - now);
            return Response.Ok("200");
        });
    }

    internal static Task<RunResult> SearchAsync(CapacityOptions capacity, Scenario scenario, params string[] thresholds) =>
        SearchAsync(new ReplayClock(), capacity, scenario, thresholds);

    private static async Task<RunResult> SearchAsync(ReplayClock clock, CapacityOptions capacity, Scenario scenario, params string[] thresholds)
    {
        var options = new RunOptions
        {
            TestName = $"{scenario.Name} capacity search",
            TimeProvider = clock,
            ReportingInterval = Ms(250),
            Thresholds = [.. thresholds.Select(Threshold.Parse)],
        };
        var search = new CapacitySearch(capacity, options);
        var run = clock.Start(() => search.RunAsync(scenario));
        clock.RunUntilComplete(run, TimeSpan.FromHours(1));
        return await run;
    }
}
