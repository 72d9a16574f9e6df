using System.Net;
using System.Text;
using System.Text.Json;
using static OrleansVoucher.LoadTests.Runner.Reports.ReportFormat;

namespace OrleansVoucher.LoadTests.Runner.Reports;

/// <summary>
/// The HTML report (<c>report.html</c>): one self-contained page — styles, charts (inline SVG) and the
/// small hover script are all inside it, and it refers to nothing outside, so it opens offline and can
/// be attached to a ticket as one file. The run's time series are embedded as JSON
/// (<c>&lt;script type="application/json" id="run-data"&gt;</c>) for anyone who wants to re-plot them.
/// </summary>
public static class HtmlReport
{
    private const string Green = "#16a34a";
    private const string Red = "#dc2626";
    private const string Slate = "#64748b";
    private const string Blue = "#2563eb";
    private const string Teal = "#0d9488";
    private const string Amber = "#d97706";
    private const string Violet = "#7c3aed";
    private const string Grey = "#94a3b8";

    public static string Render(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder(64 * 1024);
        var verdictClass = !result.Thresholds.Any() && result.CleanFailures.Count == 0 ? "neutral" : result.Passed ? "pass" : "fail";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append($"<title>{H(result.TestName)} · {H(Timestamp(result.StartedUtc))}</title>\n<style>{Styles}</style>\n</head>\n<body>\n");

        html.Append("<header><div class=\"wrap\">");
        html.Append($"<div class=\"brand\">OrleansVoucher · load test report</div><h1>{H(result.TestName)}</h1>");
        html.Append($"<div class=\"meta\"><span class=\"verdict {verdictClass}\">{H(Verdict(result))}</span>");
        html.Append($"<span>started {H(Timestamp(result.StartedUtc))}</span><span>ran {H(Seconds(result.Duration))} (set-up, warm-up and clean-up included)</span>");
        html.Append($"<span>{result.Scenarios.Count} scenario{(result.Scenarios.Count == 1 ? string.Empty : "s")}</span><span>interval {H(DurationText.Format(result.ReportingInterval))}</span></div>");
        html.Append("</div></header>\n<main class=\"wrap\">\n");

        if (result.Capacity is { } capacity)
        {
            CapacitySection(html, capacity);
        }

        Overview(html, result);
        Thresholds(html, result);
        var checks = AfterTheRun(result).ToList();
        if (checks.Count > 0)
        {
            html.Append($"<section class=\"card\" id=\"after-the-run\"><h2>{H(ChecksAfterTheRun)}</h2><ul>");
            foreach (var (passed, check) in checks)
            {
                html.Append(passed ? $"<li><span class=\"chip pass\">ok</span> {H(check)}</li>" : $"<li><span class=\"chip fail\">FAIL</span> {H(check)}</li>");
            }

            html.Append("</ul></section>\n");
        }

        for (var index = 0; index < result.Scenarios.Count; index++)
        {
            ScenarioSection(html, result.Scenarios[index], index, result.ReportingInterval);
        }

        html.Append("<section class=\"card\"><h2>Configuration</h2><table class=\"kv\"><tbody>");
        foreach (var (name, value) in result.Configuration)
        {
            html.Append($"<tr><th>{H(name)}</th><td>{H(value)}</td></tr>");
        }

        html.Append("</tbody></table></section>\n</main>\n");
        html.Append("<footer class=\"wrap\">Written by the OrleansVoucher load-test runner. Latencies in milliseconds; percentiles within 0.1 %. ");
        html.Append("Open model: response time counts from each request's intended start, so queueing is never hidden.</footer>\n");
        html.Append("<div id=\"tip\" class=\"tip\" hidden></div>\n");
        html.Append($"<script type=\"application/json\" id=\"run-data\">{DataJson(result)}</script>\n");
        html.Append($"<script>{Script}</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    // The search's steps by rate: achieved against target and latency, with the knee marked; then the
    // table. The sections after it are the run at the capacity rate.
    private static void CapacitySection(StringBuilder html, CapacitySearchResult capacity)
    {
        var tone = capacity.Concluded ? "pass" : "fail";
        html.Append($"<section class=\"card\" id=\"capacity\"><h2>Capacity search <span class=\"chip {tone}\">{H(CapacityVerdict(capacity))}</span></h2>");
        html.Append($"<p class=\"callout {(capacity.Concluded ? "info" : "bad")}\">{H(capacity.Conclusion)}</p>");
        var steps = capacity.StepsByRate().ToList();
        var atCapacity = steps.FirstOrDefault(s => IsCapacity(capacity, s));
        html.Append("<div class=\"kpis\">");
        Kpi(html, "capacity", capacity.CapacityRps is { } rate ? Rate(rate) + "/s" : "–", capacity.Outcome == CapacityOutcome.Found ? "highest rate that held" : capacity.OutcomeText, capacity.Concluded ? "good" : "bad");
        var (kneeValue, kneeNote) = Knee(capacity);
        Kpi(html, "knee", kneeValue, kneeNote, null);
        Kpi(html, "steps", Count(capacity.Steps.Count), $"{capacity.Steps.Count(s => s.Phase == "bisect")} bisection", null);
        Kpi(html, "p99 at capacity", atCapacity is null ? "–" : Latency(atCapacity.ResponseTime.P99), atCapacity is null ? "no step held" : $"service p99 {Latency(atCapacity.ServiceTime.P99)}", null);
        Kpi(html, "ok/s at capacity", atCapacity is null ? "–" : Rate(atCapacity.AchievedOkRps), atCapacity is null ? string.Empty : $"fail {Percent(atCapacity.FailPercent)}", null);
        Kpi(html, "send lag p99", atCapacity is null ? "–" : Latency(atCapacity.SendLag.P99), "the generator's own delay", null);
        html.Append("</div>");

        var x = steps.Select(s => s.TargetRps).ToList();
        (double, string)? knee = capacity.CapacityRps is { } held ? (held, "capacity " + Rate(held) + "/s") : null;
        static string RateTick(double value) => value.ToString(value >= 1000 ? "N0" : "0.##", System.Globalization.CultureInfo.InvariantCulture) + "/s";
        CurveChart(html, "Throughput by rate", "ok requests per second achieved at each step's target rate; dashed: the target", x,
        [
            new ChartSeries("ok/s", Green, [.. steps.Select(s => (double?)s.AchievedOkRps)]),
            new ChartSeries("target", Slate, [.. steps.Select(s => (double?)s.TargetRps)], Dashed: true),
        ], "rps", knee, RateTick);
        CurveChart(html, "Latency by rate", "response time (from intended start) at each step; dashed: service time p99", x,
        [
            new ChartSeries("p50", Blue, [.. steps.Select(s => s.ResponseTime.Count == 0 ? null : (double?)s.ResponseTime.P50)]),
            new ChartSeries("p99", Red, [.. steps.Select(s => s.ResponseTime.Count == 0 ? null : (double?)s.ResponseTime.P99)]),
            new ChartSeries("service p99", Violet, [.. steps.Select(s => s.ServiceTime.Count == 0 ? null : (double?)s.ServiceTime.P99)], Dashed: true),
        ], "ms", knee, RateTick);

        html.Append("<table class=\"grid\"><thead><tr>");
        for (var i = 0; i < CapacityHeaders.Length; i++)
        {
            html.Append($"<th{(i is > 0 and < 8 ? " class=\"n\"" : string.Empty)}>{H(CapacityHeaders[i])}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var step in steps)
        {
            var cells = CapacityCells(capacity, step);
            var isKnee = IsCapacity(capacity, step);
            html.Append(isKnee ? "<tr class=\"knee\">" : "<tr>");
            for (var i = 0; i < 8; i++)
            {
                html.Append($"<td{(i > 0 ? " class=\"n\"" : string.Empty)}>{H(cells[i])}</td>");
            }

            var chip = step.Passed ? "pass" : step.Verdict == CapacityVerdict.Stopped ? "neutral" : "fail";
            html.Append($"<td><span class=\"chip {chip}\">{H(cells[8])}</span></td><td class=\"reason\">{H(cells[9])}</td></tr>");
        }

        html.Append("</tbody></table><p class=\"muted\">Latencies in milliseconds. A step passes when every threshold holds, its ok requests per second are within a few percent of the target and its response time does not grow through it; ");
        html.Append("a failure is put down to the load generator when its own send lag is most of the response time or it fell behind the rate. The sections below are ");
        html.Append(capacity.CapacityRps is { } shown ? $"the step at the capacity rate, {H(Rate(shown))}/s.</p>" : "the first step.</p>");
        html.Append("</section>\n");
    }

    // The knee tile: below the lowest rate above the capacity at which the target failed. A step the load
    // generator failed says nothing about the target, so it bounds no knee.
    private static (string Value, string Note) Knee(CapacitySearchResult capacity) =>
        capacity.FirstFailingRps is { } rate ? ("< " + Rate(rate) + "/s", "lowest rate above it the target failed")
        : capacity.GeneratorLimitedRps is { } lagged ? ("unknown", $"{Rate(lagged)}/s failed on the load generator, not the target")
        : ("not reached", "no rate above it failed");

    private static void CurveChart(StringBuilder html, string title, string subtitle, IReadOnlyList<double> x, IReadOnlyList<ChartSeries> series, string unit, (double, string)? marker, Func<double, string> xTick)
    {
        html.Append($"<figure class=\"curve\"><figcaption><b>{H(title)}</b> <span class=\"muted\">{H(subtitle)}</span><span class=\"legend\">");
        Legend(html, series);
        html.Append(x.Count == 0 ? "<p class=\"muted\">No step ran.</p>" : SvgChart.Render(x, series, unit, 240, xTick, marker));
        html.Append("</figure>");
    }

    private static void Overview(StringBuilder html, RunResult result)
    {
        html.Append("<section class=\"card\"><h2>Overview</h2><table class=\"grid\"><thead><tr>");
        html.Append("<th>scenario</th><th>model</th><th class=\"n\">requests</th><th class=\"n\">fail</th><th class=\"n\">rps</th>");
        html.Append("<th class=\"n\">p50</th><th class=\"n\">p95</th><th class=\"n\">p99</th><th class=\"n\">max</th><th>thresholds</th></tr></thead><tbody>");
        for (var index = 0; index < result.Scenarios.Count; index++)
        {
            var s = result.Scenarios[index];
            var broken = s.Thresholds.Count(t => !t.Passed);
            var chip = s.Thresholds.Count == 0 ? "<span class=\"chip neutral\">none</span>"
                : broken == 0 ? $"<span class=\"chip pass\">{s.Thresholds.Count} held</span>"
                : $"<span class=\"chip fail\">{broken} broken</span>";
            html.Append($"<tr><td><a href=\"#scenario-{index}\">{H(s.Name)}</a></td><td>{s.Model}</td><td class=\"n\">{Count(s.Requests)}</td>");
            html.Append($"<td class=\"n{(s.Fail > 0 ? " bad" : string.Empty)}\">{Percent(s.FailPercent)}</td><td class=\"n\">{Rate(s.Rps)}</td>");
            html.Append($"<td class=\"n\">{Latency(s.ResponseTime.P50)}</td><td class=\"n\">{Latency(s.ResponseTime.P95)}</td><td class=\"n\">{Latency(s.ResponseTime.P99)}</td>");
            html.Append($"<td class=\"n\">{Latency(s.ResponseTime.Max)}</td><td>{chip}</td></tr>");
        }

        html.Append("</tbody></table>");
        if (result.StoppedEarly)
        {
            html.Append("<p class=\"callout warn\">The run was stopped before its load ended; the results cover what ran.</p>");
        }

        html.Append("</section>\n");
    }

    private static void Thresholds(StringBuilder html, RunResult result)
    {
        var thresholds = result.Thresholds.ToList();
        if (thresholds.Count == 0)
        {
            return;
        }

        html.Append("<section class=\"card\"><h2>Thresholds</h2><table class=\"grid\"><thead><tr><th>result</th><th>threshold</th><th>scenario</th><th class=\"n\">actual</th><th>note</th></tr></thead><tbody>");
        foreach (var t in thresholds.OrderBy(t => t.Passed))
        {
            html.Append($"<tr><td><span class=\"chip {(t.Passed ? "pass\">pass" : "fail\">FAIL")}</span></td><td><code>{H(t.Threshold.Text)}</code></td>");
            html.Append($"<td>{H(t.Scenario)}</td><td class=\"n\">{H(t.ActualText)}</td><td>{H(t.Note ?? string.Empty)}</td></tr>");
        }

        html.Append("</tbody></table></section>\n");
    }

    private static void ScenarioSection(StringBuilder html, ScenarioStats s, int index, TimeSpan interval)
    {
        html.Append($"<section class=\"card\" id=\"scenario-{index}\"><h2>{H(s.Name)} <span class=\"chip neutral\">{s.Model} model</span></h2>");
        if (s.Description is { } description)
        {
            html.Append($"<p class=\"desc\">{H(description)}</p>");
        }

        html.Append($"<p class=\"load\"><b>Load</b> {H(string.Join(" → ", s.LoadSimulations))}");
        if (s.WarmUpDuration > TimeSpan.Zero)
        {
            html.Append($" · <b>warm-up</b> {H(DurationText.Format(s.WarmUpDuration))} ({Count(s.WarmUpRequests)} requests, not counted)");
        }

        html.Append($" · <b>measured</b> {H(Seconds(s.Duration))}</p>");

        var latencyName = s.IsOpenModel ? "response time" : "service time";
        html.Append("<div class=\"kpis\">");
        Kpi(html, "requests", Count(s.Requests), $"{Count(s.Ok)} ok · {Count(s.Fail)} failed", null);
        Kpi(html, "success", Percent(100 - s.FailPercent), s.Fail == 0 ? "no failures" : $"{Percent(s.FailPercent)} failed", s.Fail > 0 ? "bad" : "good");
        Kpi(html, "throughput", Rate(s.Rps) + " rps", $"{Rate(s.OkRps)} ok/s · {Bytes(s.Bytes)}", null);
        var measured = s.ResponseTime.Count > 0;
        Kpi(html, "p50", measured ? Latency(s.ResponseTime.P50) : "–", measured ? latencyName : "no successes to measure", null);
        Kpi(html, "p99", measured ? Latency(s.ResponseTime.P99) : "–", measured && s.IsOpenModel ? $"service p99 {Latency(s.ServiceTime.P99)}" : latencyName, null);
        Kpi(html, "max", measured ? Latency(s.ResponseTime.Max) : "–", measured ? $"mean {Latency(s.ResponseTime.Mean)}" : latencyName, null);
        html.Append("</div>");

        if (s.NotSent > 0)
        {
            html.Append($"<p class=\"callout bad\"><b>{Count(s.NotSent)} requests were not sent</b>: {s.MaxInFlight:N0} were already in flight (the in-flight limit). They count as failures; the system could not keep up with the schedule.</p>");
        }

        if (s.IsOpenModel && s.SendLag.P99 > 5)
        {
            html.Append($"<p class=\"callout warn\"><b>The runner fell behind its schedule</b>: send lag p99 {Latency(s.SendLag.P99)}, max {Latency(s.SendLag.Max)}. Response times include this lag (nothing is hidden), but part of it is the load generator's own: give it more cores or split the load.</p>");
        }

        if (!s.IsOpenModel)
        {
            html.Append("<p class=\"callout info\">Closed model: each copy waits for its answer before sending again, so during a stall fewer requests are sent and the stall shows in few samples. Latencies here are service times. Use an inject (open-model) load to measure latency under a fixed arrival rate.</p>");
        }

        // The last interval is often a few milliseconds of drain tail: a rate or a percentile over it
        // would plunge or spike on a handful of requests, so the charts leave it out (the tables, the
        // CSV and the embedded data keep it).
        var points = s.Series.Where(i => i.Duration >= interval / 2).ToList();
        var x = points.Select(i => (i.Start + i.Duration).TotalSeconds).ToList();
        var perSecond = 1 / interval.TotalSeconds;
        Chart(html, index, "throughput", "Throughput", "requests per second, ok and failed, against the target", x,
        [
            new ChartSeries("ok rps", Green, [.. points.Select(i => (double?)(i.Ok * perSecond))], Area: true),
            new ChartSeries("fail rps", Red, [.. points.Select(i => (double?)(i.Fail * perSecond))], Area: true),
            .. s.IsOpenModel ? [new ChartSeries("target rps", Slate, [.. points.Select(i => (double?)i.Target)], Dashed: true)] : Array.Empty<ChartSeries>(),
        ], "rps", 260);

        Chart(html, index, "latency", "Latency", s.IsOpenModel ? "percentiles of response time (from intended start) per interval; dashed: service time p99" : "percentiles of service time per interval", x,
        [
            new ChartSeries("p50", Blue, Values(points, l => l.ResponseTime.P50)),
            new ChartSeries("p75", Teal, Values(points, l => l.ResponseTime.P75)),
            new ChartSeries("p95", Amber, Values(points, l => l.ResponseTime.P95)),
            new ChartSeries("p99", Red, Values(points, l => l.ResponseTime.P99)),
            new ChartSeries("max", Grey, Values(points, l => l.ResponseTime.Max), Thin: true),
            .. s.IsOpenModel ? [new ChartSeries("service p99", Violet, Values(points, l => l.ServiceTime.P99), Dashed: true)] : Array.Empty<ChartSeries>(),
        ], "ms", 300);

        Chart(html, index, "concurrency", s.IsOpenModel ? "In flight" : "Copies and in flight", "requests running at the end of each interval" + (s.IsOpenModel ? string.Empty : "; dashed: copies asked for"), x,
        [
            new ChartSeries("in flight", Violet, [.. points.Select(i => (double?)i.InFlight)], Area: true),
            .. s.IsOpenModel ? Array.Empty<ChartSeries>() : [new ChartSeries("copies", Slate, [.. points.Select(i => (double?)i.Target)], Dashed: true)],
        ], "count", 180);

        html.Append("<h3>Latency (ms)</h3><table class=\"grid\"><thead><tr><th></th><th>measured</th>");
        foreach (var header in LatencyHeaders)
        {
            html.Append($"<th class=\"n\">{header}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var (label, note, stats) in LatencyRows(s))
        {
            html.Append($"<tr><th>{H(label)}</th><td class=\"muted\">{H(note)}</td>");
            foreach (var cell in LatencyCells(stats))
            {
                html.Append($"<td class=\"n\">{cell}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");

        html.Append("<div class=\"cols\">");
        if (s.StatusCodes.Count > 0)
        {
            html.Append("<div><h3>Status codes</h3><table class=\"grid\"><thead><tr><th>code</th><th class=\"n\">ok</th><th class=\"n\">fail</th></tr></thead><tbody>");
            foreach (var code in s.StatusCodes)
            {
                html.Append($"<tr><td><code>{H(code.StatusCode)}</code></td><td class=\"n\">{Count(code.Ok)}</td><td class=\"n{(code.Fail > 0 ? " bad" : string.Empty)}\">{Count(code.Fail)}</td></tr>");
            }

            html.Append("</tbody></table></div>");
        }

        html.Append("<div><h3>Fail reasons</h3>");
        if (s.FailReasons.Count == 0)
        {
            html.Append("<p class=\"muted\">No failures.</p>");
        }
        else
        {
            html.Append("<table class=\"grid\"><thead><tr><th>reason</th><th class=\"n\">count</th></tr></thead><tbody>");
            foreach (var reason in s.FailReasons)
            {
                html.Append($"<tr><td>{H(reason.Reason)}</td><td class=\"n bad\">{Count(reason.Count)}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</div></div>");

        if (s.Steps.Count > 0)
        {
            html.Append("<h3>Steps</h3><table class=\"grid\"><thead><tr><th>step</th><th class=\"n\">ok</th><th class=\"n\">fail</th><th class=\"n\">mean</th><th class=\"n\">p50</th><th class=\"n\">p95</th><th class=\"n\">p99</th><th class=\"n\">max</th></tr></thead><tbody>");
            foreach (var step in s.Steps)
            {
                html.Append($"<tr><td>{H(step.Name)}</td><td class=\"n\">{Count(step.Ok)}</td><td class=\"n{(step.Fail > 0 ? " bad" : string.Empty)}\">{Count(step.Fail)}</td>");
                html.Append($"<td class=\"n\">{Milliseconds(step.Latency.Mean)}</td><td class=\"n\">{Milliseconds(step.Latency.P50)}</td><td class=\"n\">{Milliseconds(step.Latency.P95)}</td>");
                html.Append($"<td class=\"n\">{Milliseconds(step.Latency.P99)}</td><td class=\"n\">{Milliseconds(step.Latency.Max)}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        if (s.Thresholds.Count > 0)
        {
            html.Append("<h3>Thresholds</h3><ul class=\"checks\">");
            foreach (var t in s.Thresholds)
            {
                html.Append($"<li><span class=\"chip {(t.Passed ? "pass\">pass" : "fail\">FAIL")}</span> <code>{H(t.Threshold.Text)}</code> — actual {H(t.ActualText)}{(t.Note is null ? string.Empty : " (" + H(t.Note) + ")")}</li>");
            }

            html.Append("</ul>");
        }

        html.Append("</section>\n");
    }

    private static void Kpi(StringBuilder html, string label, string value, string note, string? tone) =>
        html.Append($"<div class=\"kpi{(tone is null ? string.Empty : " " + tone)}\"><div class=\"label\">{H(label)}</div><div class=\"value\">{H(value)}</div><div class=\"note\">{H(note)}</div></div>");

    private static void Chart(StringBuilder html, int scenario, string kind, string title, string subtitle, IReadOnlyList<double> x, IReadOnlyList<ChartSeries> series, string unit, int height)
    {
        html.Append($"<figure class=\"chart\" data-scenario=\"{scenario}\" data-kind=\"{kind}\"><figcaption><b>{H(title)}</b> <span class=\"muted\">{H(subtitle)}</span><span class=\"legend\">");
        Legend(html, series);
        html.Append(
            x.Count == 0 ? "<p class=\"muted\">No full interval was recorded.</p>"
            : series.All(line => line.Values.All(v => v is null)) ? "<p class=\"muted empty\">No successful requests: nothing to plot.</p>"
            : SvgChart.Render(x, series, unit, height));
        html.Append("</figure>");
    }

    private static void Legend(StringBuilder html, IReadOnlyList<ChartSeries> series)
    {
        foreach (var line in series)
        {
            html.Append($"<span><i style=\"background:{line.Color}\"{(line.Dashed ? " class=\"dashed\"" : string.Empty)}></i>{H(line.Name)}</span>");
        }

        html.Append("</span></figcaption>");
    }

    private static List<double?> Values(IReadOnlyList<IntervalStats> series, Func<IntervalStats, double> value) =>
        [.. series.Select(i => i.ResponseTime.Count == 0 ? (double?)null : value(i))];

    // The series as compact JSON for the hover script and for re-plotting. "://" is written as
    // "\u003A//" so that the file holds no URL-looking text at all (the target URL is a string here).
    private static string DataJson(RunResult result)
    {
        var data = new
        {
            test = result.TestName,
            started = result.StartedUtc,
            intervalSeconds = result.ReportingInterval.TotalSeconds,
            scenarios = result.Scenarios.Select(s => new
            {
                name = s.Name,
                model = s.Model,
                series = s.Series.Select(i => new
                {
                    t = Math.Round((i.Start + i.Duration).TotalSeconds, 3),
                    ok = i.Ok,
                    fail = i.Fail,
                    rps = Math.Round(i.Rps, 2),
                    target = Math.Round(i.Target, 2),
                    inFlight = i.InFlight,
                    p50 = Round(i.ResponseTime.P50),
                    p75 = Round(i.ResponseTime.P75),
                    p95 = Round(i.ResponseTime.P95),
                    p99 = Round(i.ResponseTime.P99),
                    max = Round(i.ResponseTime.Max),
                    mean = Round(i.ResponseTime.Mean),
                    sp50 = Round(i.ServiceTime.P50),
                    sp99 = Round(i.ServiceTime.P99),
                    n = i.ResponseTime.Count,
                }),
            }),
        };
        return JsonSerializer.Serialize(data).Replace("://", "\\u003A//", StringComparison.Ordinal);
    }

    private static double Round(double value) => Math.Round(value, 3);

    // HTML-encodes text; "://" becomes "&#58;//" so that the page shows the target URL but contains no
    // link-like text that a browser, proxy or reviewer could take for an outside reference.
    private static string H(string text) => WebUtility.HtmlEncode(text).Replace("://", "&#58;//", StringComparison.Ordinal);

    private const string Styles = """
:root{--bg:#f1f5f9;--card:#fff;--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--pass:#16a34a;--fail:#dc2626;--warn:#b45309}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:1160px;margin:0 auto;padding:0 24px}
header{background:#0f172a;color:#e2e8f0;padding:22px 0 20px;margin-bottom:24px}
header h1{margin:2px 0 10px;font-size:26px;font-weight:650;color:#fff;letter-spacing:-.01em}
.brand{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:#94a3b8}
.meta{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;font-size:13px;color:#cbd5e1}
.verdict{font-weight:700;padding:4px 12px;border-radius:999px;font-size:13px;color:#fff}
.verdict.pass{background:var(--pass)}.verdict.fail{background:var(--fail)}.verdict.neutral{background:#475569}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 22px;margin-bottom:22px;box-shadow:0 1px 2px rgba(15,23,42,.04)}
h2{margin:0 0 12px;font-size:18px;font-weight:650;display:flex;gap:10px;align-items:center}
h3{margin:22px 0 8px;font-size:14px;font-weight:650;color:#334155}
.desc{margin:-4px 0 6px;color:#334155}.load{margin:0 0 16px;color:#475569;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}
.grid th,.grid td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
.grid thead th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;background:#f8fafc}
.grid tbody tr:hover{background:#f8fafc}
.grid tbody th{font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.bad{color:var(--fail);font-weight:600}
.kv th{width:32%;text-align:left;font-weight:500;color:#475569;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
.kv td{padding:6px 10px;border-bottom:1px solid var(--line);word-break:break-word;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}
a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:#f1f5f9;padding:1px 6px;border-radius:5px}
.chip{display:inline-block;font-size:11.5px;font-weight:650;padding:2px 9px;border-radius:999px;letter-spacing:.02em}
.chip.pass{background:#dcfce7;color:#166534}.chip.fail{background:#fee2e2;color:#991b1b}.chip.neutral{background:#e2e8f0;color:#334155}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin-bottom:16px}
.kpi{border:1px solid var(--line);border-radius:10px;padding:12px 14px;background:#fbfdff}
.kpi .label{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.kpi .value{font-size:22px;font-weight:680;margin:2px 0;font-variant-numeric:tabular-nums;white-space:nowrap}
.kpi .note{font-size:12px;color:var(--muted)}
.kpi.good .value{color:var(--pass)}.kpi.bad .value{color:var(--fail)}
.callout{border-radius:8px;padding:10px 14px;margin:0 0 14px;font-size:13px}
.callout.bad{background:#fef2f2;border:1px solid #fecaca;color:#7f1d1d}
.callout.warn{background:#fffbeb;border:1px solid #fde68a;color:#78350f}
.callout.info{background:#eff6ff;border:1px solid #bfdbfe;color:#1e3a8a}
.chart,.curve{margin:8px 0 6px;position:relative}
svg .marker{stroke:#16a34a;stroke-width:1.5;stroke-dasharray:4 3}svg .marker-label{font-size:11.5px;font-weight:650;fill:#166534}
tr.knee td{background:#f0fdf4;font-weight:650}td.reason{white-space:normal;color:#7f1d1d;font-size:12.5px}
.chart figcaption,.curve figcaption{font-size:13px;margin-bottom:4px;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline}
.legend{margin-left:auto;display:flex;gap:12px;flex-wrap:wrap;font-size:12px;color:#334155}
.legend i{display:inline-block;width:14px;height:3px;border-radius:2px;margin-right:5px;vertical-align:middle}
.legend i.dashed{background-image:linear-gradient(90deg,transparent 50%,#fff 50%)!important;background-size:6px 3px}
svg.plot{width:100%;height:auto;display:block;overflow:visible}
svg .grid{stroke:#eef2f7;stroke-width:1}svg .axis{stroke:#cbd5e1}svg .xtick{stroke:#cbd5e1}
svg .tick,svg .unit{font-size:11px;fill:#64748b;font-variant-numeric:tabular-nums}
svg .area{fill-opacity:.14;stroke:none}
svg .line{stroke-linejoin:round;stroke-linecap:round}
svg .cursor{stroke:#334155;stroke-width:1;stroke-dasharray:3 3}
.cols{display:grid;grid-template-columns:1fr 2fr;gap:22px}
.empty{padding:28px 0;text-align:center;border:1px dashed var(--line);border-radius:8px}
.checks{list-style:none;padding:0;margin:0}.checks li{padding:4px 0}
.tip{position:fixed;pointer-events:none;background:#0f172a;color:#e2e8f0;font-size:12px;padding:8px 10px;border-radius:8px;box-shadow:0 6px 18px rgba(15,23,42,.25);z-index:10;font-variant-numeric:tabular-nums}
.tip b{color:#fff}.tip i{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px}
footer{color:var(--muted);font-size:12px;padding:4px 24px 36px}
@media (max-width:900px){.kpis{grid-template-columns:repeat(3,1fr)}.cols{grid-template-columns:1fr}}
@media print{body{background:#fff}header{background:#fff;color:#000}header h1{color:#000}.card{box-shadow:none;break-inside:avoid}}
""";

    private const string Script = """
(function(){
  var data=JSON.parse(document.getElementById('run-data').textContent);
  var tip=document.getElementById('tip');
  var lines={
    throughput:[['ok','ok/s','#16a34a',function(p){return p.ok/data.intervalSeconds}],['fail','fail/s','#dc2626',function(p){return p.fail/data.intervalSeconds}],['target','target','#64748b',function(p){return p.target}]],
    latency:[['p50','p50','#2563eb'],['p75','p75','#0d9488'],['p95','p95','#d97706'],['p99','p99','#dc2626'],['max','max','#94a3b8'],['sp99','service p99','#7c3aed']],
    concurrency:[['inFlight','in flight','#7c3aed'],['target','copies','#64748b']]
  };
  function fmt(v,ms){if(v===null||v===undefined)return '–';if(ms)return (v<1?v.toFixed(3):v<10?v.toFixed(2):v<100?v.toFixed(1):Math.round(v).toLocaleString('en'))+' ms';return v>=100?Math.round(v).toLocaleString('en'):(Math.round(v*10)/10).toString();}
  document.querySelectorAll('figure.chart').forEach(function(fig){
    var svg=fig.querySelector('svg');if(!svg)return;
    var s=data.scenarios[+fig.dataset.scenario],kind=fig.dataset.kind,series=s.series;
    var left=+svg.dataset.left,right=+svg.dataset.right,cursor=svg.querySelector('.cursor');
    var tmax=series.length?series[series.length-1].t:1;
    svg.addEventListener('mousemove',function(e){
      var pt=svg.createSVGPoint();pt.x=e.clientX;pt.y=e.clientY;var p=pt.matrixTransform(svg.getScreenCTM().inverse());
      var t=(p.x-left)/(right-left)*tmax,best=0;
      for(var i=1;i<series.length;i++){if(Math.abs(series[i].t-t)<Math.abs(series[best].t-t))best=i;}
      var point=series[best];if(!point)return;
      var x=left+point.t/tmax*(right-left);cursor.setAttribute('x1',x);cursor.setAttribute('x2',x);cursor.setAttribute('visibility','visible');
      var html='<b>'+s.name+' · '+point.t+' s</b>';
      lines[kind].forEach(function(l){
        if(kind==='latency'&&l[0]==='sp99'&&s.model!=='open')return;
        if(l[0]==='target'&&((kind==='throughput')!==(s.model==='open')))return;
        var v=l[3]?l[3](point):point[l[0]];
        html+='<br><i style="background:'+l[2]+'"></i>'+l[1]+' '+fmt(v,kind==='latency');
      });
      if(kind==='latency')html+='<br><span style="opacity:.7">'+point.n+' ok samples</span>';
      tip.innerHTML=html;tip.hidden=false;
      var r=tip.getBoundingClientRect(),x2=e.clientX+14;if(x2+r.width>window.innerWidth-8)x2=e.clientX-r.width-14;
      tip.style.left=x2+'px';tip.style.top=(e.clientY+14)+'px';
    });
    svg.addEventListener('mouseleave',function(){tip.hidden=true;cursor.setAttribute('visibility','hidden');});
  });
})();
""";
}
