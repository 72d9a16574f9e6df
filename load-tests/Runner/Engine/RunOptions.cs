using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>How a run is carried out and reported; every setting has a usable default.</summary>
public sealed record RunOptions
{
    /// <summary>The name at the top of the reports.</summary>
    public string TestName { get; init; } = "OrleansVoucher load test";

    /// <summary>The length of one point of the time series and of one live-view update.</summary>
    public TimeSpan ReportingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most invocations of one scenario running at once. In the open model an invocation that comes
    /// due while this many are running is not sent and counts as a failure (reason
    /// <c>in-flight limit (N) reached</c>), so that a stalled system shows as failures, never as silence.
    /// </summary>
    public int MaxInFlight { get; init; } = 10_000;

    /// <summary>How long invocations still running when the load ends may take to finish before they are cancelled and counted as failures.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The seed of every <see cref="ScenarioContext.Random"/>; the same seed gives the same draws.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Thresholds judged on top of each scenario's own (a threshold naming a scenario applies to that one only).</summary>
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>Settings shown in the reports' configuration section, after the runner's own.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Configuration { get; init; } = [];

    /// <summary>The clock; tests pass a manual one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Told about every interval (the live console view).</summary>
    public IRunObserver? Observer { get; init; }
}

/// <summary>Where a run is.</summary>
public enum RunPhase
{
    WarmUp,
    Measuring,
    Draining,
    Done,
}

/// <summary>One scenario's state at the end of an interval.</summary>
/// <param name="Name">The scenario.</param>
/// <param name="IsOpenModel">Whether its load is open-model.</param>
/// <param name="Interval">The interval that just closed.</param>
/// <param name="Ok">Successes so far in this phase.</param>
/// <param name="Fail">Failures so far in this phase.</param>
public sealed record ScenarioProgress(string Name, bool IsOpenModel, IntervalStats Interval, long Ok, long Fail);

/// <summary>The run's state at the end of an interval.</summary>
/// <param name="Phase">Warm-up, measuring or draining.</param>
/// <param name="Elapsed">Since the run started.</param>
/// <param name="PhaseElapsed">Since the phase started.</param>
/// <param name="PhaseDuration">How long the phase is planned to last, when known.</param>
/// <param name="Scenarios">Each scenario.</param>
public sealed record RunProgress(RunPhase Phase, TimeSpan Elapsed, TimeSpan PhaseElapsed, TimeSpan? PhaseDuration, IReadOnlyList<ScenarioProgress> Scenarios);

/// <summary>Receives the run's progress once per reporting interval, on the runner's timer.</summary>
public interface IRunObserver
{
    void OnProgress(RunProgress progress);
}
