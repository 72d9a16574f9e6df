using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansVoucher.LoadTests.Runner.Reports;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// Finds the highest open-model rate a target takes while every threshold holds and it stays stable:
/// steps at rates growing geometrically from <see cref="CapacityOptions.From"/>, each an ordinary
/// <see cref="LoadRunner"/> run (a warm-up, then the measured load, then the thresholds), until one fails;
/// then a few bisection steps between the last passing and the first failing rate. A step passes when
/// every threshold holds, the achieved ok requests per second are within a few percent of the target, and
/// response time does not grow through it. A step that fails while the runner's own send lag is most of
/// the response time (or that fell more than the tolerance behind over the step) is put down to the load
/// generator, and the search stops there.
/// </summary>
/// <remarks>
/// The scenario's init hook runs once before the first step and its clean hook once after the last (a
/// domain scenario starts and seeds its engine once, and checks its invariants once); the steps share the
/// scenario's data. All timing goes through <see cref="RunOptions.TimeProvider"/>, as in the runner.
/// </remarks>
public sealed class CapacitySearch
{
    private static readonly TimeSpan s_second = TimeSpan.FromSeconds(1);
    private readonly CapacityOptions _capacity;
    private readonly RunOptions _run;
    private readonly ILogger _logger;

    public CapacitySearch(CapacityOptions capacity, RunOptions? run = null)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        capacity.Validate();
        _capacity = capacity;
        _run = run ?? new RunOptions();
        _logger = _run.LoggerFactory.CreateLogger("OrleansVoucher.LoadTests.Runner");
    }

    /// <summary>
    /// Searches <paramref name="scenario"/>'s capacity and returns the run at the capacity rate (or, when no
    /// rate passed, the first step's) with <see cref="RunResult.Capacity"/> holding the search's result.
    /// <paramref name="stop"/> ends the search after the current step's load; <paramref name="abort"/> also
    /// cancels the requests running.
    /// </summary>
    public async Task<RunResult> RunAsync(Scenario scenario, CancellationToken stop = default, CancellationToken abort = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (!scenario.Thresholds.Concat(_run.Thresholds).Any(t => t.AppliesTo(scenario.Name)))
        {
            throw new ArgumentException("A capacity search judges each step by thresholds; give at least one, e.g. 'p99 <= 25ms' or 'fail_percent <= 0.1'.", nameof(scenario));
        }

        var time = _run.TimeProvider;
        var startedUtc = time.GetUtcNow();
        var start = time.GetTimestamp();
        var data = new ConcurrentDictionary<string, object?>(StringComparer.Ordinal);
        var cleanFailures = new List<string>();
        var cleanPasses = new List<string>();
        var hooks = new ScenarioInitContext(scenario.Name, data, _run.LoggerFactory.CreateLogger("Scenario." + scenario.Name), abort) { InitCompleted = false, OnCheckHeld = cleanPasses.Add };
        var runs = new List<(CapacityStep Step, RunResult Run)>();
        CapacitySearchResult search;
        try
        {
            if (scenario.Init is { } init)
            {
                try
                {
                    await init(hooks).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    throw new ScenarioInitException(scenario.Name, exception);
                }
            }

            hooks = hooks with { InitCompleted = true };

            // Each step is a run of its own; the data the init hook left is handed to it and taken back.
            var shared = scenario with
            {
                Init = step =>
                {
                    foreach (var (key, value) in data)
                    {
                        step.Data[key] = value;
                    }

                    return Task.CompletedTask;
                },
                Clean = step =>
                {
                    foreach (var (key, value) in step.Data)
                    {
                        data[key] = value;
                    }

                    return Task.CompletedTask;
                },
            };
            search = await SearchAsync(shared, runs, stop, abort).ConfigureAwait(false);
        }
        finally
        {
            if (scenario.Clean is { } clean)
            {
                try
                {
                    await clean(hooks).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    cleanFailures.Add(LoadRunner.CleanFailed(_logger, scenario.Name, exception));
                }
            }
        }

        var basis = runs.LastOrDefault(r => r.Step.Passed && r.Step.TargetRps == search.CapacityRps).Run ?? runs[0].Run;
        return basis with
        {
            StartedUtc = startedUtc,
            Duration = time.GetElapsedTime(start),
            StoppedEarly = stop.IsCancellationRequested,
            Configuration = [.. basis.Configuration, new("capacity search", Describe())],
            CleanFailures = cleanFailures,
            CleanPasses = cleanPasses,
            Capacity = search,
        };
    }

    /// <summary>
    /// Judges one step's results at <paramref name="target"/> requests per second: its thresholds, its
    /// achieved ok rate, the growth of its response time from the first half to the second, and whether a
    /// failure is the load generator's.
    /// </summary>
    public static CapacityStep Judge(ScenarioStats stats, double target, TimeSpan reportingInterval, CapacityOptions options, bool stopped = false, int number = 1, string phase = "growth")
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(options);
        var reasons = new List<(CapacityVerdict Kind, string Text)>();
        if (stopped)
        {
            reasons.Add((CapacityVerdict.Stopped, "stopped before the step's load ended"));
        }

        var floor = target * (1 - (options.RateTolerancePercent / 100));
        if (stats.OkRps < floor)
        {
            reasons.Add((CapacityVerdict.Throughput, $"achieved {Rate(stats.OkRps)} ok/s, {ReportFormat.Number(100 * (1 - (stats.OkRps / target)), "0.#")}% below the target"));
        }

        foreach (var broken in stats.Thresholds.Where(t => !t.Passed))
        {
            reasons.Add((CapacityVerdict.Threshold, $"{broken.Threshold.Text} broke: {broken.ActualText}{(broken.Note is null ? string.Empty : $" ({broken.Note})")}"));
        }

        // A queue building up shows as response time rising through the step. Each half is summed up by
        // the median of its intervals' p99, so that one slow interval (a GC, a noisy neighbour) does not
        // count as growth.
        var full = stats.Series.Where(i => i.Duration >= reportingInterval / 2 && i.ResponseTime.Count > 0).Select(i => i.ResponseTime.P99).ToList();
        double? early = null;
        double? late = null;
        if (full.Count >= 2)
        {
            var half = full.Count / 2;
            early = Median(full.Take(half));
            late = Median(full.Skip(full.Count - half));
            if (late > early * options.LatencyGrowthRatio && late - early >= options.LatencyGrowthFloor.TotalMilliseconds)
            {
                reasons.Add((CapacityVerdict.Growing, $"response time grew through the step: p99 {ReportFormat.Latency(early.Value)} in the first half, {ReportFormat.Latency(late.Value)} in the second"));
            }
        }

        // Response time counts from the intended start, so a generator that cannot keep to its schedule
        // fails steps by itself. A busy machine makes the send lag jitter by milliseconds while the target
        // is the one slowing down; the step is the generator's when the lag is most of the response time,
        // or when the generator fell behind by more than the rate tolerance of the step (it could not
        // send at the rate at all).
        var verdict = reasons.Count == 0 ? CapacityVerdict.Pass : reasons[0].Kind;
        var lag = stats.SendLag;
        if (verdict is not CapacityVerdict.Pass and not CapacityVerdict.Stopped
            && lag.P99 > options.SendLagLimit.TotalMilliseconds
            && (lag.P99 >= stats.ResponseTime.P99 * options.SendLagShare || lag.Max >= options.StepDuration.TotalMilliseconds * options.RateTolerancePercent / 100))
        {
            verdict = CapacityVerdict.Generator;
            reasons.Insert(0, (CapacityVerdict.Generator, $"the load generator fell behind its schedule: send lag p99 {ReportFormat.Latency(lag.P99)}, max {ReportFormat.Latency(lag.Max)} (response p99 {ReportFormat.Latency(stats.ResponseTime.P99)})"));
        }

        return new CapacityStep(
            number,
            phase,
            target,
            stats.OkRps,
            stats.Requests,
            stats.FailPercent,
            stats.ResponseTime,
            stats.ServiceTime,
            stats.SendLag,
            early,
            late,
            verdict,
            [.. reasons.Select(r => r.Text)]);
    }

    /// <summary>A rate rounded to <paramref name="digits"/> significant digits, as the search picks them.</summary>
    public static double RoundRate(double rate, int digits)
    {
        if (rate <= 0 || !double.IsFinite(rate))
        {
            return rate;
        }

        var decimals = digits - 1 - (int)Math.Floor(Math.Log10(rate));
        if (decimals >= 0)
        {
            return Math.Round(rate, Math.Min(decimals, 15), MidpointRounding.AwayFromZero);
        }

        var scale = Math.Pow(10, -decimals);
        return Math.Round(rate / scale, MidpointRounding.AwayFromZero) * scale;
    }

    private async Task<CapacitySearchResult> SearchAsync(Scenario scenario, List<(CapacityStep Step, RunResult Run)> runs, CancellationToken stop, CancellationToken abort)
    {
        double? passed = null;
        CapacityStep? failed = null;
        var rate = _capacity.From;
        for (var growth = 0; ; growth++)
        {
            var step = await StepAsync(scenario, rate, "growth", runs, stop, abort).ConfigureAwait(false);
            if (step.Verdict == CapacityVerdict.Stopped || stop.IsCancellationRequested)
            {
                return Stopped(scenario.Name, runs, passed);
            }

            if (step.Verdict == CapacityVerdict.Generator)
            {
                return Generator(scenario.Name, runs, passed, step);
            }

            if (!step.Passed)
            {
                failed = step;
                break;
            }

            passed = rate;
            if (_capacity.To is { } top ? rate >= top : growth + 1 >= _capacity.MaxGrowthSteps)
            {
                return new CapacitySearchResult
                {
                    Scenario = scenario.Name,
                    Outcome = CapacityOutcome.AboveRange,
                    CapacityRps = rate,
                    Conclusion = $"Every step up to {Rate(rate)}/s held every threshold and was stable: the capacity is at least {Rate(rate)}/s"
                        + (_capacity.To is null ? $" ({runs.Count} steps; give --to to go higher)." : " (raise --to to find the knee)."),
                    Steps = Steps(runs),
                };
            }

            var next = Math.Max(RoundRate(rate * _capacity.Growth, 2), rate + 1);
            rate = _capacity.To is { } to ? Math.Min(next, to) : next;
        }

        if (passed is null)
        {
            return new CapacitySearchResult
            {
                Scenario = scenario.Name,
                Outcome = CapacityOutcome.BelowFrom,
                FirstFailingRps = failed.TargetRps,
                Conclusion = $"Even the first step, {Rate(failed.TargetRps)}/s, failed ({failed.Reason}): the capacity is below it; lower --from.",
                Steps = Steps(runs),
            };
        }

        var low = passed.Value;
        var high = failed.TargetRps;
        var firstFailure = failed;
        for (var round = 0; round < _capacity.BisectRounds; round++)
        {
            var middle = RoundRate((low + high) / 2, 3);
            if (middle <= low || middle >= high)
            {
                break;
            }

            var step = await StepAsync(scenario, middle, "bisect", runs, stop, abort).ConfigureAwait(false);
            if (step.Verdict == CapacityVerdict.Stopped || stop.IsCancellationRequested)
            {
                return Stopped(scenario.Name, runs, low, high);
            }

            if (step.Verdict == CapacityVerdict.Generator)
            {
                return Generator(scenario.Name, runs, low, step, firstFailure);
            }

            if (step.Passed)
            {
                low = middle;
            }
            else
            {
                high = middle;
                firstFailure = step;
            }
        }

        return new CapacitySearchResult
        {
            Scenario = scenario.Name,
            Outcome = CapacityOutcome.Found,
            CapacityRps = low,
            FirstFailingRps = high,
            Conclusion = $"Capacity {Rate(low)}/s: the highest rate that held every threshold and was stable; {Rate(high)}/s failed ({firstFailure.Reason}).",
            Steps = Steps(runs),
        };
    }

    private async Task<CapacityStep> StepAsync(Scenario scenario, double rate, string phase, List<(CapacityStep Step, RunResult Run)> runs, CancellationToken stop, CancellationToken abort)
    {
        var number = runs.Count + 1;
        _logger.LogInformation("Step {Number} ({Phase}): {Rate}/s for {Duration}.", number, phase, Rate(rate), DurationText.Format(_capacity.StepDuration));
        var load = scenario
            .WithLoadSimulations(Simulation.Inject(rate, s_second, _capacity.StepDuration))
            .WithWarmUpDuration(_capacity.WarmUpOf(runs.Count));
        var run = await new LoadRunner(_run).RunAsync([load], stop, abort).ConfigureAwait(false);
        var step = Judge(run.Scenarios[0], rate, run.ReportingInterval, _capacity, run.StoppedEarly, number, phase);
        runs.Add((step, run));
        _logger.LogInformation(
            "Step {Number}: {Rate}/s {Verdict}: {Achieved} ok/s, p99 {P99}, fail {Fail}{Reason}",
            number,
            Rate(rate),
            step.VerdictText,
            Rate(step.AchievedOkRps),
            ReportFormat.Latency(step.ResponseTime.P99),
            ReportFormat.Percent(step.FailPercent),
            step.Passed ? string.Empty : " — " + step.Reason);
        return step;
    }

    private static CapacitySearchResult Stopped(string scenario, List<(CapacityStep Step, RunResult Run)> runs, double? passed, double? failed = null) => new()
    {
        Scenario = scenario,
        Outcome = CapacityOutcome.Stopped,
        CapacityRps = passed,
        FirstFailingRps = failed,
        Conclusion = $"Stopped at step {runs.Count}, before the search ended; {(passed is { } rate ? $"the highest rate that held so far is {Rate(rate)}/s" : "no rate held so far")}.",
        Steps = Steps(runs),
    };

    private static CapacitySearchResult Generator(string scenario, List<(CapacityStep Step, RunResult Run)> runs, double? passed, CapacityStep step, CapacityStep? targetFailure = null)
    {
        var behind = $"the load generator fell behind its schedule (send lag p99 {ReportFormat.Latency(step.SendLag.P99)}, service time p99 {ReportFormat.Latency(step.ServiceTime.P99)})";
        var advice = "Give the generator more cores or a machine of its own, or run several generators and add their rates.";
        var conclusion = targetFailure is not null && passed is { } low
            ? $"The target held {Rate(low)}/s and failed at {Rate(targetFailure.TargetRps)}/s ({targetFailure.Reason}), but the step at {Rate(step.TargetRps)}/s between them "
                + $"could not be judged: {behind}. The capacity is at least {Rate(low)}/s. {advice}"
            : $"The load generator, not the target, is the limit: at {Rate(step.TargetRps)}/s {behind}. "
                + (passed is { } held ? $"The target held {Rate(held)}/s; its capacity is at least that. " : string.Empty) + advice;
        return new()
        {
            Scenario = scenario,
            Outcome = CapacityOutcome.GeneratorLimited,
            CapacityRps = passed,
            FirstFailingRps = targetFailure?.TargetRps,
            GeneratorLimitedRps = step.TargetRps,
            Conclusion = conclusion,
            Steps = Steps(runs),
        };
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static List<CapacityStep> Steps(List<(CapacityStep Step, RunResult Run)> runs) => [.. runs.Select(r => r.Step)];

    private string Describe()
    {
        var c = _capacity;
        var to = c.To is { } top ? $" up to {Rate(top)}/s" : $", at most {c.MaxGrowthSteps} growth steps";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"from {Rate(c.From)}/s ×{c.Growth:0.##} per step{to}, then {c.BisectRounds} bisection rounds; steps of {DurationText.Format(c.StepDuration)} after a warm-up of {DurationText.Format(c.WarmUpOf(0))} (first) and {DurationText.Format(c.WarmUpOf(1))} (later); "
            + $"a step passes when every threshold holds, ok rps ≥ {100 - c.RateTolerancePercent:0.#}% of the target and p99 does not grow through it (×{c.LatencyGrowthRatio:0.##}); "
            + $"a failure with send lag p99 over {DurationText.Format(c.SendLagLimit)} is the generator's when that is {c.SendLagShare:P0} of response p99 or more, or when its send lag reached {c.RateTolerancePercent:0.#}% of the step");
    }

    private static string Rate(double rate) => ReportFormat.Rate(rate);
}
