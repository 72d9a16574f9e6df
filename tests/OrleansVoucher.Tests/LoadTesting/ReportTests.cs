using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansVoucher.LoadTests.Runner;
using OrleansVoucher.LoadTests.Runner.Cli;
using OrleansVoucher.LoadTests.Runner.Reports;
using static OrleansVoucher.Tests.LoadTesting.FakeRuns;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class ReportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ov-load-reports-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Every_report_is_written_and_the_html_is_self_contained_with_the_series()
    {
        var result = await SampleRunAsync();

        var files = ReportWriter.Write(result, _directory);

        Assert.Equal(
            new[] { "report.html", "report.json", "report.md", "report.txt", "series.csv", "steps.csv", "summary.csv", "thresholds.csv" },
            files.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var html = File.ReadAllText(Path.Combine(_directory, "report.html"));

        // Nothing outside the file: no URL, no linked resource, no import.
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"\b(src|href)\s*=\s*[""'](?!#)", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);

        // The target URL is shown, written so that it is not a reference.
        Assert.Contains("127.0.0.1:5080/health/live", html, StringComparison.Ordinal);

        // Charts and the embedded series, point for point.
        Assert.Equal(6, Regex.Matches(html, "<svg class=\"plot\"").Count);
        var json = Regex.Match(html, "<script type=\"application/json\" id=\"run-data\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        using var data = JsonDocument.Parse(json);
        var scenarios = data.RootElement.GetProperty("scenarios");
        Assert.Equal(result.Scenarios.Count, scenarios.GetArrayLength());
        for (var i = 0; i < result.Scenarios.Count; i++)
        {
            var series = scenarios[i].GetProperty("series");
            Assert.Equal(result.Scenarios[i].Series.Count, series.GetArrayLength());
            Assert.Equal(result.Scenarios[i].Series[0].Ok, series[0].GetProperty("ok").GetInt64());
            Assert.Equal(result.Scenarios[i].Series[0].ResponseTime.P99, series[0].GetProperty("p99").GetDouble(), 3);
        }

        Assert.Contains("FAIL", html, StringComparison.Ordinal);
        Assert.Contains("quota exceeded", html, StringComparison.Ordinal);
        Assert.Contains("in-flight limit", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_markdown_text_and_json_carry_the_summary_series_and_thresholds()
    {
        var result = await SampleRunAsync();
        ReportWriter.Write(result, _directory, ReportFormats.Csv | ReportFormats.Markdown | ReportFormats.Text | ReportFormats.Json);

        var series = File.ReadAllLines(Path.Combine(_directory, "series.csv"));
        Assert.StartsWith("scenario,interval,start_s,", series[0], StringComparison.Ordinal);
        Assert.Equal(1 + result.Scenarios.Sum(s => s.Series.Count), series.Length);
        var summary = File.ReadAllLines(Path.Combine(_directory, "summary.csv"));
        Assert.Equal(3, summary.Length);
        Assert.StartsWith("checkout,open,", summary[1], StringComparison.Ordinal);
        Assert.Contains("\"quota exceeded\"", File.ReadAllText(Path.Combine(_directory, "report.json")), StringComparison.Ordinal);
        Assert.Contains("| `p99 <= 1ms` | checkout |", File.ReadAllText(Path.Combine(_directory, "report.md")), StringComparison.Ordinal);
        var text = File.ReadAllText(Path.Combine(_directory, "report.txt"));
        Assert.Contains("FAILED: 1 of 3 thresholds broken", text, StringComparison.Ordinal);
        Assert.Contains("response time", text, StringComparison.Ordinal);
        Assert.Contains("Closed model: latencies are service times", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_failed_after_the_run_fails_every_report_and_is_listed_in_it()
    {
        // Every threshold holds, but the clean hook finds the target in a state it should not be in.
        var scenario = Scenario.Create("claim-storm", Taking(Ms(1)))
            .WithLoadSimulations(Simulation.Inject(10, S(1), S(1)))
            .WithThresholds(Threshold.Parse("fail_percent <= 0.1"))
            .WithClean(_ => throw new ScenarioFailureException("invariants broken: oversold by 3"));
        var result = await RunAsync(new ReplayClock(), new RunOptions { TestName = "claim-storm load test" }, scenario);

        ReportWriter.Write(result, _directory, ReportFormats.Text | ReportFormats.Markdown | ReportFormats.Html);

        Assert.False(result.Passed);
        const string Verdict = "FAILED: 1 check failed after the run (1 of 1 thresholds held)";
        var text = File.ReadAllText(Path.Combine(_directory, "report.txt"));
        Assert.StartsWith("claim-storm load test: " + Verdict, text, StringComparison.Ordinal);
        Assert.Contains("Checks after the run:\n  FAILED  claim-storm: invariants broken: oversold by 3", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var markdown = File.ReadAllText(Path.Combine(_directory, "report.md"));
        Assert.Contains($"**{Verdict}**", markdown, StringComparison.Ordinal);
        Assert.Contains("- **FAILED**: claim-storm: invariants broken: oversold by 3", markdown, StringComparison.Ordinal);
        var html = File.ReadAllText(Path.Combine(_directory, "report.html"));
        Assert.Contains($"<span class=\"verdict fail\">{Verdict}</span>", html, StringComparison.Ordinal);
        Assert.Contains("claim-storm: invariants broken: oversold by 3</li>", html, StringComparison.Ordinal);
        using var line = JsonDocument.Parse(RunCommand.SummaryLine(result, _directory));
        Assert.False(line.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(0, line.RootElement.GetProperty("thresholds_broken").GetInt32());
        Assert.Equal("claim-storm: invariants broken: oversold by 3", Assert.Single(line.RootElement.GetProperty("failed_after_the_run").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Checks_that_held_after_the_run_are_listed_in_every_report()
    {
        // A report read later shows the invariants were checked, not only that nothing was said of them.
        var scenario = Scenario.Create("claim-storm", Taking(Ms(1)))
            .WithLoadSimulations(Simulation.Inject(10, S(1), S(1)))
            .WithThresholds(Threshold.Parse("fail_percent <= 0.1"))
            .WithClean(clean =>
            {
                clean.CheckHeld("invariants hold (claimed 10 of 10)");
                return Task.CompletedTask;
            });
        var result = await RunAsync(new ReplayClock(), new RunOptions { TestName = "claim-storm load test" }, scenario);

        ReportWriter.Write(result, _directory, ReportFormats.Text | ReportFormats.Markdown | ReportFormats.Html | ReportFormats.Json);

        Assert.True(result.Passed);
        const string Held = "claim-storm: invariants hold (claimed 10 of 10)";
        var text = File.ReadAllText(Path.Combine(_directory, "report.txt"));
        Assert.StartsWith("claim-storm load test: PASSED: 1 of 1 thresholds held", text, StringComparison.Ordinal);
        Assert.Contains("Checks after the run:\n  ok      " + Held, text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("## Checks after the run", File.ReadAllText(Path.Combine(_directory, "report.md")), StringComparison.Ordinal);
        Assert.Contains("- ok: " + Held, File.ReadAllText(Path.Combine(_directory, "report.md")), StringComparison.Ordinal);
        Assert.Contains("<span class=\"chip pass\">ok</span> " + Held + "</li>", File.ReadAllText(Path.Combine(_directory, "report.html")), StringComparison.Ordinal);
        Assert.Contains(Held, File.ReadAllText(Path.Combine(_directory, "report.json")), StringComparison.Ordinal);
        using var line = JsonDocument.Parse(RunCommand.SummaryLine(result, _directory));
        Assert.Equal(Held, Assert.Single(line.RootElement.GetProperty("held_after_the_run").EnumerateArray()).GetString());
        Assert.Empty(line.RootElement.GetProperty("failed_after_the_run").EnumerateArray());
    }

    [Fact]
    public async Task The_checks_after_the_run_are_a_csv_of_their_own_failures_first()
    {
        // A spreadsheet reads the scenario, the verdict and the check in columns of their own; a run without
        // checks (the sample run) writes no checks.csv, as the other reports show no section.
        var scenario = Scenario.Create("claim-storm", Taking(Ms(1)))
            .WithLoadSimulations(Simulation.Inject(10, S(1), S(1)))
            .WithClean(clean =>
            {
                clean.CheckHeld("stock within its cap");
                throw new ScenarioFailureException("invariants broken: claimed 12, \"stock\" 10");
            });
        var result = await RunAsync(new ReplayClock(), new RunOptions { TestName = "claim-storm load test" }, scenario);

        var files = ReportWriter.Write(result, _directory, ReportFormats.Csv);

        Assert.Contains(Path.Combine(_directory, "checks.csv"), files);
        Assert.Equal(
            ["scenario,passed,check", "claim-storm,false,\"invariants broken: claimed 12, \"\"stock\"\" 10\"", "claim-storm,true,stock within its cap"],
            File.ReadAllLines(Path.Combine(_directory, "checks.csv")));
    }

    [Fact]
    public void Formats_parse_from_a_list()
    {
        Assert.Equal(ReportFormats.Html | ReportFormats.Csv, ReportWriter.ParseFormats(["html,csv"]));
        Assert.Equal(ReportFormats.All, ReportWriter.ParseFormats(["all"]));
        Assert.Throws<FormatException>(() => ReportWriter.ParseFormats(["pdf"]));
    }

    // An open-model scenario with steps, failures and in-flight rejections, and a closed-model one.
    private static Task<RunResult> SampleRunAsync()
    {
        var checkout = Scenario.Create(
                "checkout",
                ("claim", async context =>
                {
                    await context.DelayAsync(Ms(2 + (context.InvocationNumber % 7)));
                    return context.InvocationNumber % 25 == 24 ? Response.Fail("quota exceeded", "429") : Response.Ok("200", 512);
                }),
                ("verify", async context =>
                {
                    await context.DelayAsync(Ms(context.InvocationNumber % 40 == 0 ? 120 : 3));
                    return Response.Ok("200", 256);
                }))
            .WithDescription("claim then verify")
            .WithWarmUpDuration(S(1))
            .WithLoadSimulations(Simulation.RampingInject(200, S(1), S(2)), Simulation.Inject(200, S(1), S(3)))
            .WithThresholds(Threshold.Parse("p99 <= 1ms"), Threshold.Parse("fail_percent <= 10"));
        var browse = Scenario.Create("browse", Taking(Ms(15)))
            .WithLoadSimulations(Simulation.RampingConstant(4, S(2)), Simulation.KeepConstant(4, S(2)));
        var options = new RunOptions
        {
            TestName = "report sample",
            MaxInFlight = 10,
            Thresholds = [Threshold.Parse("browse: rps >= 10")],
            Configuration = [new("target", "http://127.0.0.1:5080/health/live")],
        };
        return RunAsync(new ReplayClock(), options, checkout, browse);
    }
}
