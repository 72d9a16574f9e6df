namespace OrleansVoucher.LoadTests.Runner;

/// <summary>How a capacity search ended.</summary>
public enum CapacityOutcome
{
    /// <summary>A step failed after others passed, and bisection narrowed the knee: the capacity is the highest rate that passed.</summary>
    Found,

    /// <summary>Every step up to the highest rate allowed passed: the capacity is at least that.</summary>
    AboveRange,

    /// <summary>Even the first rate failed: the capacity is below it.</summary>
    BelowFrom,

    /// <summary>A step failed because the load generator could not keep to the schedule: the target's capacity is not known (at least the highest rate that passed).</summary>
    GeneratorLimited,

    /// <summary>Stopped (Ctrl+C) before the search ended.</summary>
    Stopped,
}

/// <summary>Why a capacity step passed or failed (the first reason when there are several).</summary>
public enum CapacityVerdict
{
    Pass,

    /// <summary>A threshold broke.</summary>
    Threshold,

    /// <summary>The achieved ok requests per second fell short of the target rate.</summary>
    Throughput,

    /// <summary>Response time grew through the step: a queue was building.</summary>
    Growing,

    /// <summary>The load generator fell behind its schedule; the step says nothing about the target.</summary>
    Generator,

    /// <summary>The step was stopped before its load ended.</summary>
    Stopped,
}

/// <summary>One step of a capacity search: an open-model load at one rate, measured after a warm-up, and its verdict.</summary>
/// <param name="Number">The step's number, from 1, in the order the steps ran.</param>
/// <param name="Phase"><c>growth</c> (rates rising geometrically) or <c>bisect</c> (between the last passing and the first failing rate).</param>
/// <param name="TargetRps">The rate asked for.</param>
/// <param name="AchievedOkRps">Successful requests per second, as every report counts them (ended ÷ time to the last answer).</param>
/// <param name="Requests">Requests measured.</param>
/// <param name="FailPercent">Failed ÷ all × 100.</param>
/// <param name="ResponseTime">Successes' response time, from the intended start.</param>
/// <param name="ServiceTime">Successes' service time, from the actual send.</param>
/// <param name="SendLag">How late the runner sent requests after their intended start.</param>
/// <param name="EarlyP99">The median of the interval p99s of the step's first half (ms), when the step had two full intervals with successes.</param>
/// <param name="LateP99">The same of its second half (ms).</param>
/// <param name="Verdict">Pass, or the first reason it failed.</param>
/// <param name="Reasons">Every reason it failed; empty when it passed.</param>
public sealed record CapacityStep(
    int Number,
    string Phase,
    double TargetRps,
    double AchievedOkRps,
    long Requests,
    double FailPercent,
    LatencyStats ResponseTime,
    LatencyStats ServiceTime,
    LatencyStats SendLag,
    double? EarlyP99,
    double? LateP99,
    CapacityVerdict Verdict,
    IReadOnlyList<string> Reasons)
{
    public bool Passed => Verdict == CapacityVerdict.Pass;

    /// <summary>The reasons in one line, or <c>ok</c>.</summary>
    public string Reason => Reasons.Count == 0 ? "ok" : string.Join("; ", Reasons);

    /// <summary>The verdict as the tables show it: <c>pass</c>, <c>FAIL threshold</c>, <c>FAIL generator</c>, ….</summary>
    public string VerdictText => Verdict switch
    {
        CapacityVerdict.Pass => "pass",
        CapacityVerdict.Stopped => "stopped",
        _ => "FAIL " + Verdict.ToString().ToLowerInvariant(),
    };
}

/// <summary>The result of a capacity search: the highest rate that held every threshold and was stable, and every step.</summary>
public sealed record CapacitySearchResult
{
    public required string Scenario { get; init; }

    public required CapacityOutcome Outcome { get; init; }

    /// <summary>The highest rate that passed (a lower bound unless <see cref="Outcome"/> is <see cref="CapacityOutcome.Found"/>); null when none did.</summary>
    public double? CapacityRps { get; init; }

    /// <summary>
    /// The lowest rate above the capacity at which the target failed a step, when one did: the knee lies
    /// between the two. A step the load generator could not keep up with says nothing about the target, so
    /// it is not counted here but in <see cref="GeneratorLimitedRps"/>.
    /// </summary>
    public double? FirstFailingRps { get; init; }

    /// <summary>The rate at which the load generator fell behind its schedule and the search stopped (outcome <see cref="CapacityOutcome.GeneratorLimited"/>); null otherwise.</summary>
    public double? GeneratorLimitedRps { get; init; }

    /// <summary>One or two sentences: the result and why, for the console and the reports.</summary>
    public required string Conclusion { get; init; }

    /// <summary>The steps in the order they ran.</summary>
    public required IReadOnlyList<CapacityStep> Steps { get; init; }

    /// <summary>Whether the search found a capacity (the knee, or every rate up to the highest allowed).</summary>
    public bool Concluded => Outcome is CapacityOutcome.Found or CapacityOutcome.AboveRange;

    /// <summary>The outcome as the JSON summary writes it: <c>found</c>, <c>above-range</c>, <c>below-from</c>, <c>generator-limited</c>, <c>stopped</c>.</summary>
    public string OutcomeText => Outcome switch
    {
        CapacityOutcome.Found => "found",
        CapacityOutcome.AboveRange => "above-range",
        CapacityOutcome.BelowFrom => "below-from",
        CapacityOutcome.GeneratorLimited => "generator-limited",
        _ => "stopped",
    };

    /// <summary>The steps sorted by rate (bisection steps run out of order), for tables and charts.</summary>
    public IEnumerable<CapacityStep> StepsByRate() => Steps.OrderBy(s => s.TargetRps).ThenBy(s => s.Number);
}
