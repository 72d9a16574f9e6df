using System.Text;
using static OrleansVoucher.LoadTests.Runner.Reports.ReportFormat;

namespace OrleansVoucher.LoadTests.Runner.Reports;

/// <summary>The Markdown report (<c>report.md</c>): for pasting into an issue, a runbook or a capacity review.</summary>
public static class MarkdownReport
{
    public static string Render(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine($"# {Escape(result.TestName)}");
        text.AppendLine();
        text.AppendLine($"**{Verdict(result)}** · started {Timestamp(result.StartedUtc)} · ran {Seconds(result.Duration)} (set-up, warm-up and clean-up included)");
        text.AppendLine();

        if (result.Capacity is { } capacity)
        {
            text.AppendLine("## Capacity search");
            text.AppendLine();
            text.AppendLine(Escape(capacity.Conclusion));
            text.AppendLine();
            text.AppendLine("| " + string.Join(" | ", CapacityHeaders) + " |");
            text.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", 7)) + " --- | --- |");
            foreach (var step in capacity.StepsByRate())
            {
                var cells = CapacityCells(capacity, step).Select(Escape).ToArray();
                cells[8] = step.Passed && !IsCapacity(capacity, step) ? cells[8] : $"**{cells[8]}**";
                text.AppendLine("| " + string.Join(" | ", cells) + " |");
            }

            text.AppendLine();
            text.AppendLine("Latencies in ms, response time from the intended start. The sections below are " + (capacity.CapacityRps is { } rate ? $"the step at the capacity rate, {Rate(rate)}/s." : "the first step."));
            text.AppendLine();
        }

        text.AppendLine("| scenario | model | requests | fail % | rps | p50 ms | p95 ms | p99 ms | max ms |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var s in result.Scenarios)
        {
            text.AppendLine($"| {Escape(s.Name)} | {s.Model} | {Count(s.Requests)} | {Percent(s.FailPercent)} | {Rate(s.Rps)} | {Milliseconds(s.ResponseTime.P50)} | {Milliseconds(s.ResponseTime.P95)} | {Milliseconds(s.ResponseTime.P99)} | {Milliseconds(s.ResponseTime.Max)} |");
        }

        text.AppendLine();
        var thresholds = result.Thresholds.ToList();
        if (thresholds.Count > 0)
        {
            text.AppendLine("## Thresholds");
            text.AppendLine();
            text.AppendLine("| threshold | scenario | actual | result |");
            text.AppendLine("| --- | --- | ---: | --- |");
            foreach (var t in thresholds)
            {
                text.AppendLine($"| `{t.Threshold.Text}` | {Escape(t.Scenario)} | {t.ActualText} | {(t.Passed ? "pass" : "**FAIL**" + (t.Note is null ? string.Empty : $" ({Escape(t.Note)})"))} |");
            }

            text.AppendLine();
        }

        var checks = AfterTheRun(result).ToList();
        if (checks.Count > 0)
        {
            text.AppendLine($"## {ChecksAfterTheRun}");
            text.AppendLine();
            foreach (var (passed, check) in checks)
            {
                text.AppendLine($"- {(passed ? "ok" : "**FAILED**")}: {Escape(check)}");
            }

            text.AppendLine();
        }

        foreach (var s in result.Scenarios)
        {
            text.AppendLine($"## {Escape(s.Name)} ({s.Model} model)");
            text.AppendLine();
            if (s.Description is { } description)
            {
                text.AppendLine(Escape(description));
                text.AppendLine();
            }

            text.AppendLine($"- load: {Escape(string.Join("; ", s.LoadSimulations))}");
            text.AppendLine($"- warm-up: {DurationText.Format(s.WarmUpDuration)} ({Count(s.WarmUpRequests)} requests, not counted)");
            text.AppendLine($"- requests: {Count(s.Requests)} ({Count(s.Ok)} ok, {Count(s.Fail)} failed, {Percent(s.FailPercent)}) over {Seconds(s.Duration)}: {Rate(s.Rps)} rps ({Rate(s.OkRps)} ok)");
            text.AppendLine($"- data: {Bytes(s.Bytes)}");
            text.AppendLine();
            text.AppendLine("| latency (ms) | " + string.Join(" | ", LatencyHeaders) + " |");
            text.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", LatencyHeaders.Length)));
            foreach (var (label, note, stats) in LatencyRows(s))
            {
                text.AppendLine($"| {label} ({Escape(note)}) | " + string.Join(" | ", LatencyCells(stats)) + " |");
            }

            text.AppendLine();
            if (s.StatusCodes.Count > 0)
            {
                text.AppendLine("| status code | ok | fail |");
                text.AppendLine("| --- | ---: | ---: |");
                foreach (var code in s.StatusCodes)
                {
                    text.AppendLine($"| {Escape(code.StatusCode)} | {Count(code.Ok)} | {Count(code.Fail)} |");
                }

                text.AppendLine();
            }

            if (s.FailReasons.Count > 0)
            {
                text.AppendLine("| fail reason | count |");
                text.AppendLine("| --- | ---: |");
                foreach (var reason in s.FailReasons)
                {
                    text.AppendLine($"| {Escape(reason.Reason)} | {Count(reason.Count)} |");
                }

                text.AppendLine();
            }

            if (s.Steps.Count > 0)
            {
                text.AppendLine("| step | ok | fail | p50 ms | p95 ms | p99 ms | max ms |");
                text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
                foreach (var step in s.Steps)
                {
                    text.AppendLine($"| {Escape(step.Name)} | {Count(step.Ok)} | {Count(step.Fail)} | {Milliseconds(step.Latency.P50)} | {Milliseconds(step.Latency.P95)} | {Milliseconds(step.Latency.P99)} | {Milliseconds(step.Latency.Max)} |");
                }

                text.AppendLine();
            }
        }

        text.AppendLine("## Configuration");
        text.AppendLine();
        text.AppendLine("| setting | value |");
        text.AppendLine("| --- | --- |");
        foreach (var (name, value) in result.Configuration)
        {
            text.AppendLine($"| {Escape(name)} | {Escape(value)} |");
        }

        return text.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
