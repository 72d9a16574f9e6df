using System.Globalization;

namespace OrleansVoucher.LoadTests.Runner.Reports;

/// <summary>How the reports write numbers: invariant culture, latency to three significant digits.</summary>
internal static class ReportFormat
{
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double value) => value.ToString(value >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture);

    public static string Percent(double value) => value.ToString(value == 0 ? "0" : value < 0.01 ? "0.####" : "0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>A latency in milliseconds, three significant digits: <c>0.412</c>, <c>4.12</c>, <c>41.2</c>, <c>412</c>, <c>4,120</c>.</summary>
    public static string Milliseconds(double value) => value switch
    {
        0 => "0",
        < 1 => value.ToString("0.000", CultureInfo.InvariantCulture),
        < 10 => value.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("N0", CultureInfo.InvariantCulture),
    };

    /// <summary>A latency with its unit, switching to seconds from 10 s: <c>4.12 ms</c>, <c>12.3 s</c>.</summary>
    public static string Latency(double milliseconds) =>
        milliseconds >= 10_000 ? (milliseconds / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " s" : Milliseconds(milliseconds) + " ms";

    public static string Bytes(long value) => value switch
    {
        < 1024 => $"{value} B",
        < 1024 * 1024 => (value / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (value / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (value / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
    };

    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Number(double value, string format = "0.###") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : string.Empty;

    public static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>What the target column says: <c>500/s</c> for a rate, <c>64 copies</c> for copies.</summary>
    public static string Target(ScenarioStats scenario, double target) =>
        scenario.IsOpenModel ? Rate(target) + "/s" : ((int)target).ToString(CultureInfo.InvariantCulture) + " copies";

    public static string Verdict(RunResult result)
    {
        if (result.Capacity is { } capacity)
        {
            return CapacityVerdict(capacity) + (FailedAfterTheRun(result) is { } failed ? ", " + failed : string.Empty);
        }

        var thresholds = result.Thresholds.ToList();
        var broken = thresholds.Count(t => !t.Passed);
        var stopped = result.StoppedEarly ? " (stopped early)" : string.Empty;
        var after = FailedAfterTheRun(result);
        return (thresholds.Count, broken, after) switch
        {
            (0, _, null) => "NO THRESHOLDS" + stopped,
            (0, _, _) => $"FAILED: {after}{stopped}",
            (_, 0, null) => $"PASSED: {thresholds.Count} of {thresholds.Count} thresholds held{stopped}",
            (_, 0, _) => $"FAILED: {after} ({thresholds.Count} of {thresholds.Count} thresholds held){stopped}",
            _ => $"FAILED: {broken} of {thresholds.Count} thresholds broken{(after is null ? string.Empty : ", " + after)}{stopped}",
        };
    }

    /// <summary>How many checks failed after the run, in the words of every verdict; null when none did.</summary>
    private static string? FailedAfterTheRun(RunResult result) =>
        result.CleanFailures.Count == 0 ? null : $"{result.CleanFailures.Count} check{(result.CleanFailures.Count == 1 ? string.Empty : "s")} failed after the run";

    /// <summary>The heading of the list of checks made after the run (a scenario's clean hook: for a domain scenario, its invariants).</summary>
    public const string ChecksAfterTheRun = "Checks after the run";

    /// <summary>Every check made after the run, those that failed first, so a report shows the checks were made even when all held.</summary>
    public static IEnumerable<(bool Passed, string Text)> AfterTheRun(RunResult result) =>
        result.CleanFailures.Select(f => (false, f)).Concat(result.CleanPasses.Select(p => (true, p)));

    /// <summary>The latency rows every report shows, as label, note and stats.</summary>
    public static IEnumerable<(string Label, string Note, LatencyStats Stats)> LatencyRows(ScenarioStats scenario)
    {
        if (scenario.IsOpenModel)
        {
            yield return ("response time", "ok, from intended start", scenario.ResponseTime);
            yield return ("service time", "ok, from actual send", scenario.ServiceTime);
            yield return ("send lag", "runner: actual send − intended start", scenario.SendLag);
        }
        else
        {
            yield return ("service time", "ok; closed model: waits between requests are not seen", scenario.ServiceTime);
        }

        if (scenario.FailResponseTime.Count > 0)
        {
            yield return ("failures", "failed requests that got an answer", scenario.FailResponseTime);
        }
    }

    public static string[] LatencyCells(LatencyStats stats) =>
    [
        Count(stats.Count),
        Milliseconds(stats.Min),
        Milliseconds(stats.Mean),
        Milliseconds(stats.P50),
        Milliseconds(stats.P75),
        Milliseconds(stats.P95),
        Milliseconds(stats.P99),
        Milliseconds(stats.P999),
        Milliseconds(stats.Max),
    ];

    /// <summary>A capacity search's headline: <c>CAPACITY 1,100/s</c>, <c>CAPACITY ≥ 5,000/s</c>, <c>NO CAPACITY: …</c>.</summary>
    public static string CapacityVerdict(CapacitySearchResult capacity) => capacity.Outcome switch
    {
        CapacityOutcome.Found => $"CAPACITY {Rate(capacity.CapacityRps!.Value)}/s",
        CapacityOutcome.AboveRange => $"CAPACITY ≥ {Rate(capacity.CapacityRps!.Value)}/s (no step failed)",
        CapacityOutcome.BelowFrom => $"NO CAPACITY: even {Rate(capacity.FirstFailingRps!.Value)}/s failed",
        CapacityOutcome.GeneratorLimited => "INCONCLUSIVE: the load generator fell behind" + (capacity.CapacityRps is { } rate ? $" (target held {Rate(rate)}/s)" : string.Empty),
        _ => "STOPPED" + (capacity.CapacityRps is { } held ? $" (held {Rate(held)}/s so far)" : string.Empty),
    };

    /// <summary>The columns of a capacity search's table of steps, every report alike.</summary>
    public static readonly string[] CapacityHeaders = ["step", "target/s", "ok/s", "p50", "p99", "service p50", "service p99", "fail %", "verdict", "reason"];

    /// <summary>One step's row: latencies in ms; the step at the capacity rate says so in its verdict.</summary>
    public static string[] CapacityCells(CapacitySearchResult capacity, CapacityStep step) =>
    [
        $"{step.Number} {step.Phase}",
        Rate(step.TargetRps),
        Rate(step.AchievedOkRps),
        Milliseconds(step.ResponseTime.P50),
        Milliseconds(step.ResponseTime.P99),
        Milliseconds(step.ServiceTime.P50),
        Milliseconds(step.ServiceTime.P99),
        Percent(step.FailPercent),
        IsCapacity(capacity, step) ? "pass = capacity" : step.VerdictText,
        step.Passed ? string.Empty : step.Reason,
    ];

    /// <summary>Whether <paramref name="step"/> is the step at the capacity rate (the last one run at it).</summary>
    public static bool IsCapacity(CapacitySearchResult capacity, CapacityStep step) =>
        step.Passed && step.TargetRps == capacity.CapacityRps && step == capacity.Steps.Last(s => s.Passed && s.TargetRps == capacity.CapacityRps);

    public static readonly string[] LatencyHeaders = ["count", "min", "mean", "p50", "p75", "p95", "p99", "p99.9", "max"];
}
