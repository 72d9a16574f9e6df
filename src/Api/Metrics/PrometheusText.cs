using System.Globalization;
using System.Text;

namespace OrleansVoucher.Api.Metrics;

/// <summary>Names, label values and numbers as the Prometheus text format writes them.</summary>
internal static class PrometheusText
{
    /// <summary>
    /// The metric name of an instrument, after OpenTelemetry's Prometheus naming: dots and other
    /// characters to <c>_</c>, the unit as a suffix (<c>ms</c> → <c>_milliseconds</c>, <c>s</c> →
    /// <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; annotations like <c>{call}</c> dropped) and
    /// <c>_total</c> for counters.
    /// </summary>
    public static string MetricName(string instrument, string? unit, bool isCounter)
    {
        var name = Sanitize(instrument, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    /// <summary>A label name: letters, digits and underscores, not starting with a digit.</summary>
    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>A label value with backslash, double quote and line feed escaped.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A help text with backslash and line feed escaped.</summary>
    public static string EscapeHelp(string? help) =>
        (help ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A sample value: Go-style floats, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => "",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "%" => "percent",
        _ when unit.StartsWith('{') => "",
        _ => Sanitize(unit.Replace("/", "_per_", StringComparison.Ordinal), allowColon: false).Trim('_'),
    };

    private static string Sanitize(string value, bool allowColon)
    {
        var builder = new StringBuilder(value.Length + 1);
        foreach (var c in value)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' || (allowColon && c == ':');
            builder.Append(ok ? c : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }
}
