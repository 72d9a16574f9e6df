using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansVoucher.LoadTests.Reporting;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// Runs scenarios side by side: init hooks, a warm-up whose results are discarded, the measured load
/// with a time-series point per reporting interval, a drain of the invocations still running, clean
/// hooks, and the thresholds judged on the results. Domain-agnostic: it knows scenarios, not vouchers.
/// </summary>
/// <remarks>
/// All timing goes through <see cref="RunOptions.TimeProvider"/>: with a manual clock the whole run is
/// deterministic (every wait is a timer of that clock, and nothing else schedules work).
/// </remarks>
public sealed class LoadRunner
{
    private readonly RunOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public LoadRunner(RunOptions? options = null)
    {
        _options = options ?? new RunOptions();
        if (_options.ReportingInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("The reporting interval must be longer than zero.", nameof(options));
        }

        if (_options.MaxInFlight < 1)
        {
            throw new ArgumentException("The in-flight limit must be at least 1.", nameof(options));
        }

        _time = _options.TimeProvider;
        _logger = _options.LoggerFactory.CreateLogger("OrleansVoucher.LoadTests.Runner");
    }

    /// <summary>
    /// Runs <paramref name="scenarios"/> and returns their results. <paramref name="stop"/> ends the load
    /// early (the results cover what ran); <paramref name="abort"/> also cancels the invocations running.
    /// </summary>
    public async Task<RunResult> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken stop = default, CancellationToken abort = default)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        Validate(scenarios);

        var startedUtc = _time.GetUtcNow();
        var runStart = _time.GetTimestamp();
        using var abortSource = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var runtimes = scenarios.Select(s => new ScenarioRuntime(s, _options, runStart, abortSource.Token)).ToList();
        var cleanFailures = new List<string>();
        var cleanPasses = new List<string>();
        var measureStart = TimeSpan.Zero;
        try
        {
            foreach (var runtime in runtimes)
            {
                await runtime.InitAsync(abortSource.Token).ConfigureAwait(false);
            }

            var warmUp = runtimes.Max(r => r.Scenario.WarmUpDuration);
            if (warmUp > TimeSpan.Zero && !stop.IsCancellationRequested)
            {
                _logger.LogInformation("Warming up for {WarmUp}.", DurationText.Format(warmUp));
                var phaseStart = Elapsed(runStart);
                var load = runtimes
                    .Where(r => r.Scenario.WarmUpDuration > TimeSpan.Zero)
                    .Select(r => r.RunPhaseAsync(r.WarmUp, warmUp: true, phaseStart, r.Scenario.WarmUpDuration, stop))
                    .Append(SleepUntilAsync(runStart, phaseStart + warmUp, stop));
                var warmUpDone = Task.WhenAll(load);
                await TickAsync(runtimes, RunPhase.WarmUp, runStart, phaseStart, warmUp, warmUpDone).ConfigureAwait(false);
                await warmUpDone.ConfigureAwait(false);
            }

            measureStart = Elapsed(runStart);
            if (!stop.IsCancellationRequested)
            {
                _logger.LogInformation("Measuring.");
            }

            var measured = Task.WhenAll(runtimes.Select(r => MeasureAsync(r, measureStart, stop)));
            var planned = PlannedDuration(scenarios);
            var intervals = await TickAsync(runtimes, RunPhase.Measuring, runStart, measureStart, planned, measured).ConfigureAwait(false);
            await measured.ConfigureAwait(false);

            foreach (var runtime in runtimes.Where(r => !r.SeriesClosed))
            {
                if (runtime.Main.HasOpenInterval || runtime.Main.Series.Count == 0)
                {
                    var start = _options.ReportingInterval * intervals;
                    var end = (runtime.FinishedAt ?? Elapsed(runStart)) - measureStart;
                    runtime.Main.CloseInterval(start, end > start ? end - start : TimeSpan.Zero, runtime.TargetAt(start), runtime.InFlight);
                }

                runtime.SeriesClosed = true;
            }

            foreach (var runtime in runtimes)
            {
                runtime.WarmUp.CloseInterval(TimeSpan.Zero, TimeSpan.Zero, 0, 0);
            }

            Notify(RunPhase.Done, runStart, measureStart, planned, runtimes, r => r.Main);
        }
        finally
        {
            foreach (var runtime in runtimes)
            {
                try
                {
                    await runtime.CleanAsync(cleanPasses.Add, abort).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    cleanFailures.Add(CleanFailed(_logger, runtime.Scenario.Name, exception));
                }
            }
        }

        var results = runtimes.Select(r => Results(r, measureStart)).ToList();
        return new RunResult
        {
            TestName = _options.TestName,
            StartedUtc = startedUtc,
            Duration = Elapsed(runStart),
            ReportingInterval = _options.ReportingInterval,
            StoppedEarly = stop.IsCancellationRequested,
            Scenarios = results,
            Configuration = Configuration(scenarios),
            CleanFailures = cleanFailures,
            CleanPasses = cleanPasses,
        };
    }

    /// <summary>Logs a clean hook's failure — its message alone when that explains it, else with the stack trace — and returns it for the reports.</summary>
    internal static string CleanFailed(ILogger logger, string scenario, Exception exception)
    {
        if (HookFailure.IsExplained(exception))
        {
            logger.LogError("The clean hook of {Scenario} failed: {Reason}", scenario, HookFailure.Describe(exception));
        }
        else
        {
            logger.LogError(exception, "The clean hook of {Scenario} failed.", scenario);
        }

        return $"{scenario}: {HookFailure.Describe(exception)}";
    }

    private async Task MeasureAsync(ScenarioRuntime runtime, TimeSpan measureStart, CancellationToken stop)
    {
        await runtime.RunPhaseAsync(runtime.Main, warmUp: false, measureStart, cut: null, stop).ConfigureAwait(false);
        await runtime.DrainAsync(_options.DrainTimeout).ConfigureAwait(false);
    }

    // Closes an interval for every scenario at each multiple of the reporting interval after the phase
    // start, until `until` completes; returns how many it closed.
    private async Task<int> TickAsync(List<ScenarioRuntime> runtimes, RunPhase phase, long runStart, TimeSpan phaseStart, TimeSpan? planned, Task until)
    {
        var interval = _options.ReportingInterval;
        var measuring = phase == RunPhase.Measuring;
        using var cancel = new CancellationTokenSource();
        var index = 0;
        while (!until.IsCompleted)
        {
            var wait = phaseStart + (interval * (index + 1)) - Elapsed(runStart);
            if (wait > TimeSpan.Zero)
            {
                var delay = ClockDelay.WaitAsync(_time, wait, cancel.Token);
                if (await Task.WhenAny(delay, until).ConfigureAwait(false) == until)
                {
                    cancel.Cancel();
                    break;
                }
            }

            var start = interval * index;
            foreach (var runtime in runtimes)
            {
                var recorder = measuring ? runtime.Main : runtime.WarmUp;
                if (measuring && runtime.SeriesClosed)
                {
                    continue;
                }

                // Whether the scenario had finished is read before the interval closes: an invocation that
                // ends meanwhile lands in the next interval, which the end of the run must still close.
                var finished = measuring && runtime.FinishedAt is not null;
                recorder.CloseInterval(start, interval, runtime.TargetAt(start + (interval / 2)), runtime.InFlight);
                if (finished)
                {
                    runtime.SeriesClosed = true;
                }
            }

            index++;
            var shown = measuring && runtimes.All(r => r.LoadEnded) ? RunPhase.Draining : phase;
            Notify(shown, runStart, phaseStart, planned, runtimes, r => measuring ? r.Main : r.WarmUp);
        }

        return index;
    }

    private void Notify(RunPhase phase, long runStart, TimeSpan phaseStart, TimeSpan? planned, List<ScenarioRuntime> runtimes, Func<ScenarioRuntime, ScenarioRecorder> recorderOf)
    {
        if (_options.Observer is not { } observer)
        {
            return;
        }

        var elapsed = Elapsed(runStart);
        var scenarios = new List<ScenarioProgress>(runtimes.Count);
        foreach (var runtime in runtimes)
        {
            var recorder = recorderOf(runtime);
            if (recorder.LastInterval is { } last)
            {
                scenarios.Add(new ScenarioProgress(runtime.Scenario.Name, runtime.IsOpenModel, last, recorder.Ok, recorder.Fail));
            }
        }

        try
        {
            observer.OnProgress(new RunProgress(phase, elapsed, elapsed - phaseStart, planned, scenarios));
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "The progress observer failed.");
        }
    }

    private ScenarioStats Results(ScenarioRuntime runtime, TimeSpan measureStart)
    {
        var scenario = runtime.Scenario;
        var main = runtime.Main;
        var stats = new ScenarioStats
        {
            Name = scenario.Name,
            Description = scenario.Description,
            Model = runtime.IsOpenModel ? "open" : "closed",
            LoadSimulations = [.. scenario.LoadSimulations.Select(s => s.Describe())],
            WarmUpDuration = scenario.WarmUpDuration,
            WarmUpRequests = runtime.WarmUp.Ok + runtime.WarmUp.Fail,
            WarmUpFails = runtime.WarmUp.Fail,
            Duration = runtime.FinishedAt is { } finished && finished > measureStart ? finished - measureStart : TimeSpan.Zero,
            Ok = main.Ok,
            Fail = main.Fail,
            Bytes = main.Bytes,
            ResponseTime = main.OkResponse.ToStats(),
            ServiceTime = main.OkService.ToStats(),
            FailResponseTime = main.FailResponse.ToStats(),
            SendLag = runtime.IsOpenModel ? main.SendLag.ToStats() : LatencyStats.Empty,
            NotSent = main.NotSent,
            MaxInFlight = _options.MaxInFlight,
            FailReasons = main.FailReasons(),
            StatusCodes = main.StatusCodes(),
            Steps = main.Steps(),
            Series = [.. main.Series],
            ResponseTimeHistogram = main.OkResponse,
            ServiceTimeHistogram = main.OkService,
        };

        var thresholds = scenario.Thresholds.Concat(_options.Thresholds).Where(t => t.AppliesTo(scenario.Name));
        return stats with { Thresholds = [.. thresholds.Select(t => t.Evaluate(stats))] };
    }

    private List<KeyValuePair<string, string>> Configuration(IReadOnlyList<Scenario> scenarios)
    {
        var entries = new List<KeyValuePair<string, string>>(_options.Configuration)
        {
            new("seed", _options.Seed.ToString(CultureInfo.InvariantCulture)),
            new("reporting interval", DurationText.Format(_options.ReportingInterval)),
            new("in-flight limit per scenario", _options.MaxInFlight.ToString("N0", CultureInfo.InvariantCulture)),
            new("drain timeout", DurationText.Format(_options.DrainTimeout)),
        };
        foreach (var scenario in scenarios)
        {
            var prefix = $"scenario {scenario.Name}: ";
            entries.Add(new(prefix + "model", scenario.IsOpenModel ? "open (fixed arrival schedule; latency from intended start)" : "closed (copies back to back; latency is service time)"));
            entries.Add(new(prefix + "load", string.Join("; ", scenario.LoadSimulations.Select(s => s.Describe()))));
            entries.Add(new(prefix + "warm-up", DurationText.Format(scenario.WarmUpDuration)));
        }

        if (_time == TimeProvider.System)
        {
            entries.Add(new("machine", $"{MachineInfo.Cores} cores, {MachineInfo.MemoryBytes / (1024 * 1024):N0} MB, {MachineInfo.OperatingSystem}"));
            entries.Add(new("runtime", $"{MachineInfo.DotNet}, {MachineInfo.GarbageCollector} GC"));
        }

        return entries;
    }

    private void Validate(IReadOnlyList<Scenario> scenarios)
    {
        if (scenarios.Count == 0)
        {
            throw new ArgumentException("A run needs at least one scenario.", nameof(scenarios));
        }

        var duplicate = scenarios.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two scenarios are named '{duplicate.Key}'; give each a name of its own.", nameof(scenarios));
        }

        foreach (var threshold in _options.Thresholds.Where(t => t.Scenario is not null))
        {
            if (!scenarios.Any(s => threshold.AppliesTo(s.Name)))
            {
                throw new ArgumentException($"Threshold '{threshold.Text}' names scenario '{threshold.Scenario}', which is not in the run.", nameof(scenarios));
            }
        }
    }

    private static TimeSpan? PlannedDuration(IReadOnlyList<Scenario> scenarios)
    {
        var longest = TimeSpan.Zero;
        foreach (var scenario in scenarios)
        {
            var total = TimeSpan.Zero;
            foreach (var simulation in scenario.LoadSimulations)
            {
                total += simulation switch
                {
                    IterationsForInjectSimulation inject => TimeSpan.FromSeconds(inject.Iterations * inject.Interval.TotalSeconds / inject.Rate),
                    { Duration: { } duration } => duration,
                    _ => TimeSpan.Zero,
                };
                if (simulation is IterationsForConstantSimulation)
                {
                    return null;
                }
            }

            longest = total > longest ? total : longest;
        }

        return longest;
    }

    private Task SleepUntilAsync(long runStart, TimeSpan at, CancellationToken stop)
    {
        var wait = at - Elapsed(runStart);
        return wait > TimeSpan.Zero ? ClockDelay.WaitAsync(_time, wait, stop).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default) : Task.CompletedTask;
    }

    private TimeSpan Elapsed(long runStart) => _time.GetElapsedTime(runStart);
}
