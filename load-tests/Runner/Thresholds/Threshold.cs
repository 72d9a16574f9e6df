using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>How a threshold compares the measured value with its limit.</summary>
public enum ThresholdOperator
{
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>
/// A pass/fail rule judged at the end of the run, e.g. <c>p99 &lt;= 25ms</c>, <c>fail_percent &lt;= 0.1</c>,
/// <c>rps &gt;= 1000</c>. Any broken threshold makes the run exit non-zero and is listed in the reports.
/// </summary>
/// <remarks>
/// <para>Written <c>[scenario:] metric operator value[unit]</c>. Without a scenario it applies to every scenario.</para>
/// <list type="table">
/// <item><term><c>p50</c> … <c>p99.9</c>, any <c>pNN</c></term><description>a percentile of the successes' response time (open model: from the intended start)</description></item>
/// <item><term><c>mean</c>, <c>min</c>, <c>max</c></term><description>the same distribution's mean, minimum, maximum</description></item>
/// <item><term><c>service_p99</c>, <c>service_mean</c>, …</term><description>the same on service time (from the actual send)</description></item>
/// <item><term><c>fail_percent</c></term><description>failed ÷ all invocations × 100</description></item>
/// <item><term><c>fail_count</c>, <c>ok_count</c>, <c>requests</c></term><description>counts</description></item>
/// <item><term><c>rps</c>, <c>ok_rps</c></term><description>invocations (all, or successful) per second</description></item>
/// </list>
/// <para>Latency values take <c>us</c>, <c>ms</c> (the default) or <c>s</c>; <c>fail_percent</c> may end in <c>%</c>.</para>
/// </remarks>
public sealed partial record Threshold
{
    private Threshold(string? scenario, string metric, ThresholdOperator comparison, double limit, string text)
    {
        Scenario = scenario;
        Metric = metric;
        Operator = comparison;
        Limit = limit;
        Text = text;
    }

    /// <summary>The scenario it applies to, or null for every scenario.</summary>
    public string? Scenario { get; }

    /// <summary>The metric's canonical name: <c>p99</c>, <c>service_p95</c>, <c>mean</c>, <c>fail_percent</c>, <c>rps</c>, ….</summary>
    public string Metric { get; }

    public ThresholdOperator Operator { get; }

    /// <summary>The limit, in milliseconds for latency metrics.</summary>
    public double Limit { get; }

    /// <summary>The threshold as written, normalised: <c>p99 &lt;= 25ms</c>.</summary>
    public string Text { get; }

    /// <summary>Whether the metric is a latency, in milliseconds.</summary>
    public bool IsLatency => LatencyPart(Metric) is not null;

    /// <summary>Parses a threshold; throws <see cref="FormatException"/> saying what is accepted.</summary>
    public static Threshold Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a threshold; write e.g. 'p99 <= 25ms', 'fail_percent <= 0.1' or 'checkout: rps >= 1000'.");
        }

        var scenario = match.Groups["scenario"].Success ? match.Groups["scenario"].Value.Trim() : null;
        var metric = Canonical(match.Groups["metric"].Value.ToLowerInvariant());
        if (metric is null)
        {
            throw new FormatException(
                $"'{match.Groups["metric"].Value}' in '{text}' is not a threshold metric; use p50…p99.9 (any pNN), mean, min, max, service_p99 (etc.), fail_percent, fail_count, ok_count, requests, rps or ok_rps.");
        }

        var comparison = match.Groups["op"].Value switch
        {
            "<" => ThresholdOperator.LessThan,
            "<=" => ThresholdOperator.LessThanOrEqual,
            ">" => ThresholdOperator.GreaterThan,
            _ => ThresholdOperator.GreaterThanOrEqual,
        };
        var value = double.Parse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        var unit = match.Groups["unit"].Value.ToLowerInvariant();
        double limit;
        string unitText;
        if (LatencyPart(metric) is not null)
        {
            double? factor = unit switch
            {
                "" or "ms" => 1,
                "us" or "µs" => 1e-3,
                "s" => 1e3,
                _ => null,
            };
            if (factor is null)
            {
                throw new FormatException($"'{unit}' in '{text}' is not a latency unit; use us, ms or s.");
            }

            limit = value * factor.Value;
            unitText = unit.Length == 0 ? "ms" : unit;
        }
        else
        {
            if (unit.Length != 0 && !(unit == "%" && metric == "fail_percent"))
            {
                throw new FormatException($"'{metric}' in '{text}' takes a plain number, without '{unit}'.");
            }

            limit = value;
            unitText = metric == "fail_percent" ? "%" : string.Empty;
        }

        var normalised = $"{metric} {OperatorText(comparison)} {match.Groups["value"].Value}{unitText}";
        return new Threshold(scenario, metric, comparison, limit, scenario is null ? normalised : $"{scenario}: {normalised}");
    }

    /// <summary>A latency threshold in code: <c>Threshold.Latency("p99", ThresholdOperator.LessThanOrEqual, TimeSpan.FromMilliseconds(25))</c>.</summary>
    public static Threshold Latency(string metric, ThresholdOperator comparison, TimeSpan limit, string? scenario = null) =>
        Parse($"{Prefix(scenario)}{metric} {OperatorText(comparison)} {limit.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}ms");

    /// <summary>A threshold on a count, rate or percentage in code: <c>Threshold.Value("rps", ThresholdOperator.GreaterThanOrEqual, 1000)</c>.</summary>
    public static Threshold Value(string metric, ThresholdOperator comparison, double limit, string? scenario = null) =>
        Parse($"{Prefix(scenario)}{metric} {OperatorText(comparison)} {limit.ToString("R", CultureInfo.InvariantCulture)}");

    /// <summary>Whether it applies to <paramref name="scenarioName"/>.</summary>
    public bool AppliesTo(string scenarioName) => Scenario is null || string.Equals(Scenario, scenarioName, StringComparison.Ordinal);

    /// <summary>Judges the threshold against a scenario's results.</summary>
    public ThresholdResult Evaluate(ScenarioStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var actual = Measure(stats);
        if (double.IsNaN(actual))
        {
            return new ThresholdResult(this, stats.Name, actual, false, "no successful invocations to measure");
        }

        var passed = Operator switch
        {
            ThresholdOperator.LessThan => actual < Limit,
            ThresholdOperator.LessThanOrEqual => actual <= Limit,
            ThresholdOperator.GreaterThan => actual > Limit,
            _ => actual >= Limit,
        };
        return new ThresholdResult(this, stats.Name, actual, passed, null);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private double Measure(ScenarioStats stats)
    {
        if (LatencyPart(Metric) is { } latency)
        {
            var histogram = Metric.StartsWith("service_", StringComparison.Ordinal) ? stats.ServiceTimeHistogram : stats.ResponseTimeHistogram;
            if (histogram.Count == 0)
            {
                return double.NaN;
            }

            return latency switch
            {
                "mean" => histogram.Mean / 1000,
                "min" => histogram.Min / 1000.0,
                "max" => histogram.Max / 1000.0,
                _ => histogram.ValueAtPercentile(double.Parse(latency[1..], CultureInfo.InvariantCulture)) / 1000.0,
            };
        }

        return Metric switch
        {
            "fail_percent" => stats.FailPercent,
            "fail_count" => stats.Fail,
            "ok_count" => stats.Ok,
            "requests" => stats.Requests,
            "rps" => stats.Rps,
            _ => stats.OkRps,
        };
    }

    private static string? Canonical(string metric)
    {
        switch (metric)
        {
            case "fail_percent" or "fail_pct" or "fail%":
                return "fail_percent";
            case "fail_count" or "fails" or "failures":
                return "fail_count";
            case "ok_count" or "requests" or "rps" or "ok_rps":
                return metric;
        }

        var service = metric.StartsWith("service_", StringComparison.Ordinal);
        var latency = service ? metric["service_".Length..] : metric;
        if (latency is "mean" or "min" or "max")
        {
            return metric;
        }

        if (latency == "p999")
        {
            latency = "p99.9";
        }

        if (latency.Length > 1 && latency[0] == 'p'
            && double.TryParse(latency[1..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percentile)
            && percentile is > 0 and <= 100)
        {
            return (service ? "service_" : string.Empty) + "p" + percentile.ToString("0.###", CultureInfo.InvariantCulture);
        }

        return null;
    }

    private static string? LatencyPart(string metric)
    {
        var latency = metric.StartsWith("service_", StringComparison.Ordinal) ? metric["service_".Length..] : metric;
        return latency is "mean" or "min" or "max" || (latency.StartsWith('p') && latency.Length > 1 && char.IsAsciiDigit(latency[1])) ? latency : null;
    }

    private static string Prefix(string? scenario) => scenario is null ? string.Empty : scenario + ": ";

    internal static string OperatorText(ThresholdOperator comparison) => comparison switch
    {
        ThresholdOperator.LessThan => "<",
        ThresholdOperator.LessThanOrEqual => "<=",
        ThresholdOperator.GreaterThan => ">",
        _ => ">=",
    };

    [GeneratedRegex(@"^\s*(?:(?<scenario>[^:<>=]+?)\s*:\s*)?(?<metric>[A-Za-z_][A-Za-z0-9_.%]*)\s*(?<op><=|>=|<|>)\s*(?<value>\d+(?:\.\d+)?)\s*(?<unit>[A-Za-zµ%]*)\s*$")]
    private static partial Regex Pattern();
}

/// <summary>A threshold judged against one scenario.</summary>
/// <param name="Threshold">The rule.</param>
/// <param name="Scenario">The scenario it was judged on.</param>
/// <param name="Actual">The measured value (milliseconds for latency); NaN when there was nothing to measure.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Note">Why it could not be measured, when it could not.</param>
public sealed record ThresholdResult(Threshold Threshold, string Scenario, double Actual, bool Passed, string? Note)
{
    /// <summary>The measured value with its unit: <c>23.1ms</c>, <c>0.02%</c>, <c>1012.4</c>.</summary>
    public string ActualText => double.IsNaN(Actual)
        ? "n/a"
        : Threshold.IsLatency
            ? Actual.ToString("0.###", CultureInfo.InvariantCulture) + "ms"
            : Threshold.Metric == "fail_percent"
                ? Actual.ToString("0.###", CultureInfo.InvariantCulture) + "%"
                : Actual.ToString("0.##", CultureInfo.InvariantCulture);
}
