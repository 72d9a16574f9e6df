using System.Globalization;
using System.Text;
using OrleansVoucher.LoadTests.Runner.Reports;

namespace OrleansVoucher.LoadTests.Runner.Live;

/// <summary>
/// The live view on stderr while a run goes: phase, elapsed against planned time, and per scenario the
/// last interval's rate, ok and failed counts, p50 and p99 and requests in flight. On a terminal the
/// block is redrawn in place each interval; when stderr is redirected (CI, a log file) it degrades to a
/// plain line per scenario every few seconds. Log lines go above the block.
/// </summary>
internal sealed class LiveConsoleView : IRunObserver
{
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly TimeSpan _plainEvery;
    private readonly Lock _gate = new();
    private string[] _block = [];
    private TimeSpan? _lastPlain;

    public LiveConsoleView(TextWriter writer, bool interactive, TimeSpan plainEvery)
    {
        _writer = writer;
        _interactive = interactive;
        _plainEvery = plainEvery;
    }

    /// <summary>A view on stderr, interactive when stderr is a terminal that understands ANSI.</summary>
    public static LiveConsoleView ForStandardError() =>
        new(Console.Error, !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb", TimeSpan.FromSeconds(5));

    public void OnProgress(RunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (_gate)
        {
            if (_interactive)
            {
                Clear();
                _block = progress.Phase == RunPhase.Done ? [] : Block(progress);
                foreach (var line in _block)
                {
                    _writer.WriteLine(line);
                }

                _writer.Flush();
            }
            else if (progress.Phase != RunPhase.Done && (_lastPlain is not { } last || progress.Elapsed - last >= _plainEvery))
            {
                _lastPlain = progress.Elapsed;
                foreach (var scenario in progress.Scenarios)
                {
                    var interval = scenario.Interval;
                    _writer.WriteLine(
                        $"[{DateTime.Now:HH:mm:ss}] {PhaseName(progress.Phase)} {Clock(progress.PhaseElapsed)}{(progress.PhaseDuration is { } planned ? "/" + Clock(planned) : string.Empty)} " +
                        $"{scenario.Name}: {ReportFormat.Rate(interval.Rps)} rps, ok {ReportFormat.Count(scenario.Ok)}, fail {ReportFormat.Count(scenario.Fail)}, " +
                        $"p50 {ReportFormat.Latency(interval.ResponseTime.P50)}, p99 {ReportFormat.Latency(interval.ResponseTime.P99)}, in flight {interval.InFlight}");
                }

                _writer.Flush();
            }
        }
    }

    /// <summary>Writes a log line above the live block.</summary>
    public void Log(string line)
    {
        lock (_gate)
        {
            if (_interactive)
            {
                Clear();
            }

            _writer.WriteLine(line);
            if (_interactive)
            {
                foreach (var blockLine in _block)
                {
                    _writer.WriteLine(blockLine);
                }
            }

            _writer.Flush();
        }
    }

    private void Clear()
    {
        if (_block.Length > 0)
        {
            // Up to the first line of the block, then erase to the end of the screen.
            _writer.Write($"\u001b[{_block.Length}F\u001b[0J");
        }
    }

    private static string[] Block(RunProgress progress)
    {
        var lines = new List<string>();
        var header = new StringBuilder();
        var color = progress.Phase switch
        {
            RunPhase.WarmUp => "\u001b[30;43m",
            RunPhase.Draining => "\u001b[30;46m",
            _ => "\u001b[30;42m",
        };
        header.Append($"{color} {PhaseName(progress.Phase).ToUpperInvariant()} \u001b[0m  {Clock(progress.PhaseElapsed)}");
        if (progress.PhaseDuration is { } planned && planned > TimeSpan.Zero)
        {
            var fraction = Math.Clamp(progress.PhaseElapsed / planned, 0, 1);
            const int width = 30;
            var filled = (int)Math.Round(fraction * width);
            header.Append($" / {Clock(planned)}  \u001b[32m{new string('█', filled)}\u001b[90m{new string('░', width - filled)}\u001b[0m {fraction * 100:0}%");
        }

        header.Append($"   total {Clock(progress.Elapsed)}");
        lines.Add(header.ToString());

        var rows = new List<string[]> { new[] { "scenario", "model", "target", "rps", "ok", "fail", "in flight", "p50", "p99" } };
        foreach (var scenario in progress.Scenarios)
        {
            var last = scenario.Interval;
            rows.Add(
            [
                scenario.Name,
                scenario.IsOpenModel ? "open" : "closed",
                scenario.IsOpenModel ? ReportFormat.Rate(last.Target) + "/s" : ((int)last.Target).ToString(CultureInfo.InvariantCulture),
                ReportFormat.Rate(last.Rps),
                ReportFormat.Count(scenario.Ok),
                ReportFormat.Count(scenario.Fail),
                last.InFlight.ToString(CultureInfo.InvariantCulture),
                last.ResponseTime.Count == 0 ? "–" : ReportFormat.Latency(last.ResponseTime.P50),
                last.ResponseTime.Count == 0 ? "–" : ReportFormat.Latency(last.ResponseTime.P99),
            ]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            var cells = rows[r].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            var line = "  " + string.Join("  ", cells);
            if (r == 0)
            {
                line = $"\u001b[2m{line}\u001b[0m";
            }
            else if (progress.Scenarios[r - 1].Interval.Fail > 0)
            {
                line = $"\u001b[31m{line}\u001b[0m";
            }

            lines.Add(line);
        }

        return [.. lines];
    }

    private static string PhaseName(RunPhase phase) => phase switch
    {
        RunPhase.WarmUp => "warm-up",
        RunPhase.Draining => "draining",
        RunPhase.Done => "done",
        _ => "measuring",
    };

    private static string Clock(TimeSpan value) =>
        value.TotalHours >= 1 ? value.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : value.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
