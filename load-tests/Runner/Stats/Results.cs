using System.Text.Json.Serialization;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>A latency distribution's summary, in milliseconds.</summary>
public sealed record LatencyStats(long Count, double Min, double Mean, double P50, double P75, double P95, double P99, double P999, double Max)
{
    /// <summary>No values.</summary>
    public static readonly LatencyStats Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>One reporting interval of one scenario: the points of the charts.</summary>
/// <param name="Index">The interval's number from the start of measuring, from 0.</param>
/// <param name="Start">Its start, from the start of measuring.</param>
/// <param name="Duration">Its length (the last one may be shorter).</param>
/// <param name="Ok">Invocations that succeeded, counted when they ended.</param>
/// <param name="Fail">Invocations that failed (or could not be sent), counted when they ended.</param>
/// <param name="Rps">Invocations ended per second of the nominal interval.</param>
/// <param name="Bytes">Bytes moved by the invocations that ended.</param>
/// <param name="ResponseTime">Latency of the successes: from the intended start in the open model, from the actual start in the closed.</param>
/// <param name="ServiceTime">Latency of the successes from the moment they were actually sent.</param>
/// <param name="Target">The load asked for at mid-interval: invocations per second (open model) or copies (closed).</param>
/// <param name="InFlight">Invocations running when the interval closed.</param>
public sealed record IntervalStats(
    int Index,
    TimeSpan Start,
    TimeSpan Duration,
    long Ok,
    long Fail,
    double Rps,
    long Bytes,
    LatencyStats ResponseTime,
    LatencyStats ServiceTime,
    double Target,
    int InFlight);

/// <summary>A failure reason and how often it happened.</summary>
public sealed record ReasonCount(string Reason, long Count);

/// <summary>A status code and how many successes and failures carried it.</summary>
public sealed record StatusCodeCount(string StatusCode, long Ok, long Fail);

/// <summary>One named step within a scenario's invocations (see <see cref="ScenarioContext.Step"/>).</summary>
public sealed record StepStats(string Name, long Ok, long Fail, LatencyStats Latency, IReadOnlyList<ReasonCount> FailReasons);

/// <summary>The measured results of one scenario (the warm-up is left out except for its counts).</summary>
public sealed record ScenarioStats
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public required string Model { get; init; }

    public required IReadOnlyList<string> LoadSimulations { get; init; }

    public required TimeSpan WarmUpDuration { get; init; }

    public required long WarmUpRequests { get; init; }

    public required long WarmUpFails { get; init; }

    /// <summary>From the start of measuring until the scenario's last invocation ended.</summary>
    public required TimeSpan Duration { get; init; }

    public required long Ok { get; init; }

    public required long Fail { get; init; }

    public long Requests => Ok + Fail;

    public double FailPercent => Requests == 0 ? 0 : 100.0 * Fail / Requests;

    /// <summary>Invocations ended (ok or failed) per second of <see cref="Duration"/>.</summary>
    public double Rps => Duration <= TimeSpan.Zero ? 0 : Requests / Duration.TotalSeconds;

    /// <summary>Successful invocations per second of <see cref="Duration"/>.</summary>
    public double OkRps => Duration <= TimeSpan.Zero ? 0 : Ok / Duration.TotalSeconds;

    public required long Bytes { get; init; }

    /// <summary>Latency of the successes. Open model: from each invocation's intended start; closed model: the same as <see cref="ServiceTime"/>.</summary>
    public required LatencyStats ResponseTime { get; init; }

    /// <summary>Latency of the successes from when each was actually sent.</summary>
    public required LatencyStats ServiceTime { get; init; }

    /// <summary>Latency of the failures (from the intended start in the open model).</summary>
    public required LatencyStats FailResponseTime { get; init; }

    /// <summary>Open model: how late the runner sent invocations after their intended start (its own health).</summary>
    public required LatencyStats SendLag { get; init; }

    /// <summary>Invocations the open model could not send because the in-flight limit was reached; they count as failures.</summary>
    public required long NotSent { get; init; }

    public required int MaxInFlight { get; init; }

    public required IReadOnlyList<ReasonCount> FailReasons { get; init; }

    public required IReadOnlyList<StatusCodeCount> StatusCodes { get; init; }

    public required IReadOnlyList<StepStats> Steps { get; init; }

    public required IReadOnlyList<IntervalStats> Series { get; init; }

    public IReadOnlyList<ThresholdResult> Thresholds { get; init; } = [];

    /// <summary>The successes' response-time histogram, for thresholds on any percentile.</summary>
    [JsonIgnore]
    public LatencyHistogram ResponseTimeHistogram { get; init; } = new();

    /// <summary>The successes' service-time histogram.</summary>
    [JsonIgnore]
    public LatencyHistogram ServiceTimeHistogram { get; init; } = new();

    public bool IsOpenModel => Model == "open";
}

/// <summary>The results of a run.</summary>
public sealed record RunResult
{
    public required string TestName { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>From the first init hook to the last clean hook, warm-up included.</summary>
    public required TimeSpan Duration { get; init; }

    public required TimeSpan ReportingInterval { get; init; }

    /// <summary>Whether the run was stopped (Ctrl+C) before its load ended; the results cover what ran.</summary>
    public required bool StoppedEarly { get; init; }

    public required IReadOnlyList<ScenarioStats> Scenarios { get; init; }

    /// <summary>The run's settings as name and value, for the reports.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Configuration { get; init; }

    public IEnumerable<ThresholdResult> Thresholds => Scenarios.SelectMany(s => s.Thresholds);

    /// <summary>The clean hooks that threw (e.g. a domain scenario's broken invariant), as scenario and message; any fails the run.</summary>
    public IReadOnlyList<string> CleanFailures { get; init; } = [];

    /// <summary>The checks the clean hooks made that held (e.g. a domain scenario's invariants), as scenario and what held.</summary>
    public IReadOnlyList<string> CleanPasses { get; init; } = [];

    /// <summary>The capacity search this run was the result of (<c>run --find-capacity</c>), when it was one; the scenarios are then its step at the capacity rate.</summary>
    public CapacitySearchResult? Capacity { get; init; }

    /// <summary>Whether every threshold held and every clean hook succeeded (and a capacity search found a capacity).</summary>
    public bool Passed => Thresholds.All(t => t.Passed) && CleanFailures.Count == 0 && Capacity?.Concluded != false;
}
