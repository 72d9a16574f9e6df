using System.Globalization;
using OrleansVoucher.LoadTests.Reporting;

namespace OrleansVoucher.LoadTests.Benchmarks.Http;

/// <summary>The table of <c>bench http</c>'s phases, its summary against the targets, and its JSON line.</summary>
internal static class HttpBenchReport
{
    private static readonly (string Phase, double Ratio, double? P99Ms)[] s_targets =
    [
        ("verify", 0.8, 10),
        ("activate", 0.5, 25),
        ("claim", 0.5, null),
    ];

    public static void Write(TextWriter output, HttpBenchSettings settings, IReadOnlyList<HttpPhase> phases, long? oversold, long? stormClaimed, string database)
    {
        // The baseline: the higher of the health phases at the start and at the end of the run.
        var healthPhases = phases.Where(p => p.Name.StartsWith("health", StringComparison.Ordinal) && p.Result.Answers > 0).ToList();
        double? health = healthPhases.Count > 0 ? healthPhases.Max(p => p.Result.Rate) : null;
        output.WriteLine();
        MachineInfo.WriteTo(output);
        output.WriteLine($"Database: {database}");
        output.WriteLine($"Load average at the end: {LoadAverage() ?? "n/a"}");
        output.WriteLine();

        var table = new ResultTable("phase", "answers", "rps", "p50 ms", "p99 ms", "max ms", "outcomes", "errors", "client µs/req", "engine µs/req", "db µs/req", "vs health")
        {
            Title = $"{settings.Connections} connections (closed model), {Seconds(settings.WarmUp)} s warm-up, {Seconds(settings.Duration)} s measured per phase",
        };
        foreach (var phase in phases)
        {
            var result = phase.Result;
            var answers = Math.Max(1, result.Answers);
            table.AddRow(
                phase.Name,
                result.Answers.ToString("N0", CultureInfo.InvariantCulture),
                result.Rate.ToString("N0", CultureInfo.InvariantCulture),
                Milliseconds(result.Latency.ValueAtPercentile(50)),
                Milliseconds(result.Latency.ValueAtPercentile(99)),
                Milliseconds(result.Latency.Max),
                string.Join(" ", result.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}:{o.Value}")),
                result.Errors.Count == 0 ? "0" : string.Join(" ", result.Errors.Select(e => $"{(e.Key == 0 ? "no answer" : e.Key.ToString(CultureInfo.InvariantCulture))}:{e.Value}")),
                PerRequest(phase.ClientCpu, answers),
                phase.EngineCpu is { } engine ? PerRequest(engine, answers) : "n/a",
                phase.DatabaseCpu is { } db ? PerRequest(db, answers) : "n/a",
                health is > 0 && result.Answers > 0 ? (result.Rate / health.Value).ToString("0.00", CultureInfo.InvariantCulture) : "");
        }

        table.WriteTo(output);
        foreach (var phase in phases)
        {
            output.WriteLine($"  {phase.Name}: {phase.What}{(phase.Note is null ? "" : " — " + phase.Note)}");
        }

        if (stormClaimed is { } claimed)
        {
            output.WriteLine($"  claim: the storm campaign ({settings.Issuers} issuers) counts {claimed:N0} vouchers claimed of a stock of {settings.Stock:N0}; oversold {oversold:N0}");
        }

        output.WriteLine();
        var summary = new ResultTable("metric", "measured", "target", "vs target") { Title = "Summary (targets are for a quiet machine)" };
        summary.AddRow("health_rps", health is { } h ? h.ToString("N0", CultureInfo.InvariantCulture) : "n/a", "", "the higher of the two health phases");
        foreach (var (name, ratio, p99) in s_targets)
        {
            if (phases.FirstOrDefault(p => p.Name == name) is not { Result.Answers: > 0 } phase)
            {
                continue;
            }

            if (health is > 0)
            {
                var measured = phase.Result.Rate / health.Value;
                summary.AddRow($"{name}_ratio", measured.ToString("0.00", CultureInfo.InvariantCulture), $">= {ratio:0.00}", (measured / ratio).ToString("0.00", CultureInfo.InvariantCulture) + "x");
            }

            if (p99 is { } limit)
            {
                var measured = phase.Result.Latency.ValueAtPercentile(99) / 1000.0;
                summary.AddRow($"{name}_p99_ms", measured.ToString("0.0", CultureInfo.InvariantCulture), $"<= {limit:0}", (limit / measured).ToString("0.00", CultureInfo.InvariantCulture) + "x");
            }
        }

        if (oversold is { } over)
        {
            summary.AddRow("oversold", over.ToString(CultureInfo.InvariantCulture), "= 0", over == 0 ? "met" : "BROKEN");
        }

        summary.WriteTo(output);
        output.WriteLine();

        var json = new JsonSummary()
            .Add("bench", "http")
            .Add("health_rps", health is { } baseline ? Math.Round(baseline) : null)
            .Add("verify_rps", Rate(phases, "verify"))
            .Add("verify_p99_ms", P99(phases, "verify"))
            .Add("activate_rps", Rate(phases, "activate"))
            .Add("activate_p99_ms", P99(phases, "activate"))
            .Add("claim_rps", Rate(phases, "claim"))
            .Add("oversold", oversold)
            .Add("verify_ratio", Ratio(phases, "verify", health))
            .Add("activate_ratio", Ratio(phases, "activate", health))
            .Add("claim_ratio", Ratio(phases, "claim", health))
            .Add("health_rps_first", Rate(phases, "health"))
            .Add("health_rps_last", Rate(phases, "health again"))
            .Add("health_p99_ms", P99(phases, "health"))
            .Add("me_rps", Rate(phases, "me"))
            .Add("me_ratio", Ratio(phases, "me", health))
            .Add("claim_p99_ms", P99(phases, "claim"))
            .Add("claimed", stormClaimed)
            .Add("stock", settings.Stock)
            .Add("issuers", settings.Issuers)
            .Add("errors", phases.Sum(p => p.Result.ErrorCount))
            .Add("engine_cpu_us_per_request", PerPhase(phases, p => p.EngineCpu))
            .Add("client_cpu_us_per_request", PerPhase(phases, p => p.ClientCpu))
            .Add("db_cpu_us_per_request", PerPhase(phases, p => p.DatabaseCpu))
            .Add("connections", settings.Connections)
            .Add("duration_s", settings.Duration.TotalSeconds)
            .Add("warmup_s", settings.WarmUp.TotalSeconds)
            .Add("load_average", LoadAverage())
            .Add("postgres", database);
        MachineInfo.AddTo(json);
        json.WriteTo(output);
    }

    private static JsonSummary PerPhase(IReadOnlyList<HttpPhase> phases, Func<HttpPhase, TimeSpan?> cpu)
    {
        var json = new JsonSummary();
        foreach (var phase in phases.Where(p => p.Result.Answers > 0))
        {
            json.Add(phase.Name.Replace(' ', '_'), cpu(phase) is { } spent ? Math.Round(spent.TotalMicroseconds / phase.Result.Answers, 1) : null);
        }

        return json;
    }

    private static double? Rate(IReadOnlyList<HttpPhase> phases, string name) =>
        phases.FirstOrDefault(p => p.Name == name) is { Result.Answers: > 0 } phase ? Math.Round(phase.Result.Rate) : null;

    private static double? P99(IReadOnlyList<HttpPhase> phases, string name) =>
        phases.FirstOrDefault(p => p.Name == name) is { Result.Answers: > 0 } phase ? phase.Result.Latency.ValueAtPercentile(99) / 1000.0 : null;

    private static double? Ratio(IReadOnlyList<HttpPhase> phases, string name, double? health) =>
        health is > 0 && Rate(phases, name) is { } rate ? Math.Round(rate / health.Value, 3) : null;

    private static string PerRequest(TimeSpan cpu, long answers) => (cpu.TotalMicroseconds / answers).ToString("N0", CultureInfo.InvariantCulture);

    private static string Milliseconds(long microseconds) => (microseconds / 1000.0).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The 1-, 5- and 15-minute load averages from <c>/proc/loadavg</c>; null where there is none.</summary>
    internal static string? LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', fields.Take(3));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
