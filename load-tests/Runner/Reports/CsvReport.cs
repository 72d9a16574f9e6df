using System.Text;
using static OrleansVoucher.LoadTests.Runner.Reports.ReportFormat;

namespace OrleansVoucher.LoadTests.Runner.Reports;

/// <summary>
/// CSV for spreadsheets and scripts: <c>summary.csv</c> (a row per scenario), <c>series.csv</c> (a row
/// per scenario and reporting interval), <c>thresholds.csv</c>, <c>checks.csv</c> (a row per check made
/// after the run), <c>steps.csv</c> and, for a capacity search, <c>capacity.csv</c> (a row per step). Latencies in
/// milliseconds; <c>rt_</c> is response time (from the intended start in the open model), <c>st_</c>
/// service time (from the actual send).
/// </summary>
public static class CsvReport
{
    public static string Summary(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        Row(csv, ["scenario", "model", "duration_s", "requests", "ok", "fail", "fail_percent", "rps", "ok_rps", "bytes",
            .. LatencyColumns("rt"), .. LatencyColumns("st"), "lag_p99_ms", "lag_max_ms", "not_sent", "warmup_requests", "thresholds_broken"]);
        foreach (var s in result.Scenarios)
        {
            Row(csv, [s.Name, s.Model, Number(s.Duration.TotalSeconds), s.Requests.ToString(), s.Ok.ToString(), s.Fail.ToString(), Number(s.FailPercent, "0.####"),
                Number(s.Rps, "0.##"), Number(s.OkRps, "0.##"), s.Bytes.ToString(), .. LatencyValues(s.ResponseTime), .. LatencyValues(s.ServiceTime),
                Number(s.SendLag.P99), Number(s.SendLag.Max), s.NotSent.ToString(), s.WarmUpRequests.ToString(), s.Thresholds.Count(t => !t.Passed).ToString()]);
        }

        return csv.ToString();
    }

    public static string Series(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        Row(csv, ["scenario", "interval", "start_s", "duration_s", "ok", "fail", "rps", "target", "in_flight", "bytes",
            "rt_mean_ms", "rt_p50_ms", "rt_p75_ms", "rt_p95_ms", "rt_p99_ms", "rt_max_ms", "st_p50_ms", "st_p99_ms"]);
        foreach (var s in result.Scenarios)
        {
            foreach (var i in s.Series)
            {
                Row(csv, [s.Name, i.Index.ToString(), Number(i.Start.TotalSeconds), Number(i.Duration.TotalSeconds), i.Ok.ToString(), i.Fail.ToString(),
                    Number(i.Rps, "0.##"), Number(i.Target, "0.##"), i.InFlight.ToString(), i.Bytes.ToString(),
                    Number(i.ResponseTime.Mean), Number(i.ResponseTime.P50), Number(i.ResponseTime.P75), Number(i.ResponseTime.P95), Number(i.ResponseTime.P99),
                    Number(i.ResponseTime.Max), Number(i.ServiceTime.P50), Number(i.ServiceTime.P99)]);
            }
        }

        return csv.ToString();
    }

    public static string Thresholds(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        Row(csv, ["scenario", "threshold", "metric", "limit", "actual", "passed", "note"]);
        foreach (var t in result.Thresholds)
        {
            Row(csv, [t.Scenario, t.Threshold.Text, t.Threshold.Metric, Number(t.Threshold.Limit), Number(t.Actual), t.Passed ? "true" : "false", t.Note ?? string.Empty]);
        }

        return csv.ToString();
    }

    /// <summary>
    /// The checks made after the run (the scenarios' clean hooks: for a domain scenario, its invariants),
    /// those that failed first, a row each: the scenario, <c>passed</c> as in <c>thresholds.csv</c>, and what
    /// was checked or how it failed.
    /// </summary>
    public static string Checks(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        Row(csv, ["scenario", "passed", "check"]);
        foreach (var (passed, text) in AfterTheRun(result))
        {
            var (scenario, check) = SplitScenario(result, text);
            Row(csv, [scenario, passed ? "true" : "false", check]);
        }

        return csv.ToString();
    }

    /// <summary>A check's text is <c>scenario: what</c>; the scenario is the longest of the run's names it starts with, so a name with a colon splits right.</summary>
    private static (string Scenario, string Check) SplitScenario(RunResult result, string text)
    {
        var scenario = result.Scenarios
            .Select(s => s.Name)
            .Where(name => text.StartsWith(name + ": ", StringComparison.Ordinal))
            .MaxBy(name => name.Length);
        return scenario is null ? (string.Empty, text) : (scenario, text[(scenario.Length + 2)..]);
    }

    /// <summary>A capacity search's steps in the order they ran (empty but for the header when the run was not one).</summary>
    public static string Capacity(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        Row(csv, ["step", "phase", "target_rps", "ok_rps", "requests", "fail_percent", "rt_p50_ms", "rt_p99_ms", "st_p50_ms", "st_p99_ms", "lag_p99_ms",
            "first_half_p99_ms", "second_half_p99_ms", "passed", "capacity", "verdict", "reason"]);
        if (result.Capacity is { } capacity)
        {
            foreach (var s in capacity.Steps)
            {
                Row(csv, [s.Number.ToString(), s.Phase, Number(s.TargetRps), Number(s.AchievedOkRps, "0.##"), s.Requests.ToString(), Number(s.FailPercent, "0.####"),
                    Number(s.ResponseTime.P50), Number(s.ResponseTime.P99), Number(s.ServiceTime.P50), Number(s.ServiceTime.P99), Number(s.SendLag.P99),
                    s.EarlyP99 is { } early ? Number(early) : string.Empty, s.LateP99 is { } late ? Number(late) : string.Empty,
                    s.Passed ? "true" : "false", IsCapacity(capacity, s) ? "true" : "false", s.Verdict.ToString().ToLowerInvariant(), s.Passed ? string.Empty : s.Reason]);
            }
        }

        return csv.ToString();
    }

    public static string Steps(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        Row(csv, ["scenario", "step", "ok", "fail", .. LatencyColumns("latency")]);
        foreach (var s in result.Scenarios)
        {
            foreach (var step in s.Steps)
            {
                Row(csv, [s.Name, step.Name, step.Ok.ToString(), step.Fail.ToString(), .. LatencyValues(step.Latency)]);
            }
        }

        return csv.ToString();
    }

    private static string[] LatencyColumns(string prefix) =>
        [$"{prefix}_min_ms", $"{prefix}_mean_ms", $"{prefix}_p50_ms", $"{prefix}_p75_ms", $"{prefix}_p95_ms", $"{prefix}_p99_ms", $"{prefix}_p999_ms", $"{prefix}_max_ms"];

    private static string[] LatencyValues(LatencyStats stats) =>
        [Number(stats.Min), Number(stats.Mean), Number(stats.P50), Number(stats.P75), Number(stats.P95), Number(stats.P99), Number(stats.P999), Number(stats.Max)];

    private static void Row(StringBuilder csv, string[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            var cell = cells[i];
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                csv.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                csv.Append(cell);
            }
        }

        csv.Append('\n');
    }
}
