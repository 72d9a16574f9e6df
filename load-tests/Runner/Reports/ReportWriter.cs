using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansVoucher.LoadTests.Runner.Reports;

/// <summary>The report formats a run can write.</summary>
[Flags]
public enum ReportFormats
{
    None = 0,
    Text = 1,
    Markdown = 2,
    Csv = 4,
    Html = 8,
    Json = 16,
    All = Text | Markdown | Csv | Html | Json,
}

/// <summary>Writes a run's reports into one folder.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary><c>reports/yyyyMMdd-HHmmss</c> under the current directory, in local time.</summary>
    public static string DefaultDirectory(DateTimeOffset now) =>
        Path.Combine("reports", now.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));

    /// <summary>Parses <c>txt,md,csv,html,json</c> (or <c>all</c>); throws <see cref="FormatException"/> naming the accepted ones.</summary>
    public static ReportFormats ParseFormats(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var formats = ReportFormats.None;
        foreach (var name in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            formats |= name.ToLowerInvariant() switch
            {
                "txt" or "text" => ReportFormats.Text,
                "md" or "markdown" => ReportFormats.Markdown,
                "csv" => ReportFormats.Csv,
                "html" => ReportFormats.Html,
                "json" => ReportFormats.Json,
                "all" => ReportFormats.All,
                _ => throw new FormatException($"'{name}' is not a report format; use txt, md, csv, html, json or all."),
            };
        }

        return formats;
    }

    /// <summary>Writes the chosen reports into <paramref name="directory"/> (created if missing) and returns the files written.</summary>
    public static IReadOnlyList<string> Write(RunResult result, string directory, ReportFormats formats = ReportFormats.All)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Save(string name, string content)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            written.Add(path);
        }

        if (formats.HasFlag(ReportFormats.Html))
        {
            Save("report.html", HtmlReport.Render(result));
        }

        if (formats.HasFlag(ReportFormats.Text))
        {
            Save("report.txt", TextReport.Render(result));
        }

        if (formats.HasFlag(ReportFormats.Markdown))
        {
            Save("report.md", MarkdownReport.Render(result));
        }

        if (formats.HasFlag(ReportFormats.Csv))
        {
            Save("summary.csv", CsvReport.Summary(result));
            Save("series.csv", CsvReport.Series(result));
            Save("thresholds.csv", CsvReport.Thresholds(result));
            if (result.CleanFailures.Count + result.CleanPasses.Count > 0)
            {
                Save("checks.csv", CsvReport.Checks(result));
            }

            if (result.Scenarios.Any(s => s.Steps.Count > 0))
            {
                Save("steps.csv", CsvReport.Steps(result));
            }

            if (result.Capacity is not null)
            {
                Save("capacity.csv", CsvReport.Capacity(result));
            }
        }

        if (formats.HasFlag(ReportFormats.Json))
        {
            Save("report.json", JsonSerializer.Serialize(result, s_json));
        }

        return written;
    }
}
