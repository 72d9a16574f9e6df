using OrleansVoucher.LoadTests.Reporting;
using static OrleansVoucher.LoadTests.Runner.Reports.ReportFormat;

namespace OrleansVoucher.LoadTests.Runner.Reports;

/// <summary>The plain-text report: what the console shows at the end of a run, also written as <c>report.txt</c>.</summary>
public static class TextReport
{
    public static string Render(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var writer = new StringWriter();
        Write(result, writer);
        return writer.ToString();
    }

    public static void Write(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine($"{result.TestName}: {Verdict(result)}");
        writer.WriteLine($"Started {Timestamp(result.StartedUtc)}, ran {Seconds(result.Duration)} (set-up, warm-up and clean-up included).");
        writer.WriteLine();
        if (result.Capacity is { } capacity)
        {
            WriteCapacity(result, capacity, writer);
        }

        foreach (var scenario in result.Scenarios)
        {
            writer.WriteLine($"== {scenario.Name} ({scenario.Model} model) ==");
            if (scenario.Description is { } description)
            {
                writer.WriteLine(description);
            }

            writer.WriteLine($"Load: {string.Join("; ", scenario.LoadSimulations)}");
            if (scenario.WarmUpDuration > TimeSpan.Zero)
            {
                writer.WriteLine($"Warm-up: {DurationText.Format(scenario.WarmUpDuration)}, {Count(scenario.WarmUpRequests)} requests ({Count(scenario.WarmUpFails)} failed), not counted below.");
            }

            writer.WriteLine();
            new ResultTable("requests", "ok", "fail", "fail %", "rps", "ok rps", "data", "measured")
                .AddRow(
                    Count(scenario.Requests),
                    Count(scenario.Ok),
                    Count(scenario.Fail),
                    Percent(scenario.FailPercent),
                    Rate(scenario.Rps),
                    Rate(scenario.OkRps),
                    Bytes(scenario.Bytes),
                    Seconds(scenario.Duration))
                .WriteTo(writer);
            writer.WriteLine();

            var latency = new ResultTable(["latency (ms)", .. LatencyHeaders]);
            foreach (var (label, _, stats) in LatencyRows(scenario))
            {
                latency.AddRow([label, .. LatencyCells(stats)]);
            }

            latency.WriteTo(writer);
            writer.WriteLine(scenario.IsOpenModel
                ? "Response time runs from each request's intended start on the schedule, so queueing in the system or the runner is counted; service time runs from the actual send."
                : "Closed model: latencies are service times; while the system stalls the copies wait instead of sending, so the stall shows in few samples.");
            writer.WriteLine();

            WriteBreakdowns(scenario, writer);
        }

        var thresholds = result.Thresholds.ToList();
        if (thresholds.Count > 0)
        {
            var table = new ResultTable("threshold", "scenario", "actual", "result") { Title = "Thresholds" };
            foreach (var threshold in thresholds)
            {
                table.AddRow(threshold.Threshold.Text, threshold.Scenario, threshold.ActualText, threshold.Passed ? "pass" : "FAIL" + (threshold.Note is null ? string.Empty : $" ({threshold.Note})"));
            }

            table.WriteTo(writer);
            writer.WriteLine();
        }

        var checks = AfterTheRun(result).ToList();
        if (checks.Count > 0)
        {
            writer.WriteLine($"{ChecksAfterTheRun}:");
            foreach (var (passed, text) in checks)
            {
                writer.WriteLine($"  {(passed ? "ok" : "FAILED"),-8}{text}");
            }
        }
    }

    private static void WriteCapacity(RunResult result, CapacitySearchResult capacity, TextWriter writer)
    {
        writer.WriteLine(capacity.Conclusion);
        writer.WriteLine();
        // The reasons are long: they follow the table, one line per failed step, instead of widening it.
        var table = new ResultTable(CapacityHeaders[..^1]) { Title = $"Capacity search: {capacity.Steps.Count} step{(capacity.Steps.Count == 1 ? string.Empty : "s")} of {capacity.Scenario}, by rate (latency in ms; p50 and p99 of response time from intended start)" };
        foreach (var step in capacity.StepsByRate())
        {
            table.AddRow(CapacityCells(capacity, step)[..^1]);
        }

        table.WriteTo(writer);
        foreach (var step in capacity.StepsByRate().Where(s => !s.Passed))
        {
            writer.WriteLine($"  step {step.Number}, {Rate(step.TargetRps)}/s: {step.Reason}");
        }

        writer.WriteLine();
        writer.WriteLine(capacity.CapacityRps is { } rate ? $"Below: the step at the capacity rate, {Rate(rate)}/s." : "Below: the first step.");
        writer.WriteLine();
    }

    private static void WriteBreakdowns(ScenarioStats scenario, TextWriter writer)
    {
        if (scenario.StatusCodes.Count > 0)
        {
            var codes = new ResultTable("status code", "ok", "fail");
            foreach (var code in scenario.StatusCodes)
            {
                codes.AddRow(code.StatusCode, Count(code.Ok), Count(code.Fail));
            }

            codes.WriteTo(writer);
            writer.WriteLine();
        }

        if (scenario.FailReasons.Count > 0)
        {
            var reasons = new ResultTable("fail reason", "count");
            foreach (var reason in scenario.FailReasons)
            {
                reasons.AddRow(reason.Reason, Count(reason.Count));
            }

            reasons.WriteTo(writer);
            writer.WriteLine();
        }

        if (scenario.Steps.Count > 0)
        {
            var steps = new ResultTable(["step", "ok", "fail", .. LatencyHeaders[1..]]);
            foreach (var step in scenario.Steps)
            {
                steps.AddRow([step.Name, Count(step.Ok), Count(step.Fail), .. LatencyCells(step.Latency)[1..]]);
            }

            steps.WriteTo(writer);
            writer.WriteLine();
        }
    }
}
