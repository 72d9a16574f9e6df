namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// How a capacity search (<see cref="CapacitySearch"/>) steps its rate and judges each step; every
/// setting has a usable default. The thresholds themselves are the run's (<see cref="RunOptions.Thresholds"/>)
/// and the scenario's own.
/// </summary>
public sealed record CapacityOptions
{
    /// <summary>The first step's rate, in requests per second.</summary>
    public double From { get; init; } = 10;

    /// <summary>The highest rate to try, when given; without it the steps grow until one fails (or <see cref="MaxGrowthSteps"/>).</summary>
    public double? To { get; init; }

    /// <summary>Each growth step's rate is the previous one's times this.</summary>
    public double Growth { get; init; } = 2;

    /// <summary>How long each step's load is measured.</summary>
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first step's warm-up, which also warms the JIT, pools and caches.</summary>
    public TimeSpan FirstWarmUp { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Every later step's warm-up at its own rate, so that queues settle at the new rate; default a fifth of the step.</summary>
    public TimeSpan? StepWarmUp { get; init; }

    /// <summary>Steps between the last passing and the first failing rate, once a step has failed.</summary>
    public int BisectRounds { get; init; } = 3;

    /// <summary>How far below the target the achieved ok requests per second may be, in percent.</summary>
    public double RateTolerancePercent { get; init; } = 5;

    /// <summary>Response time counts as growing through a step when the median interval p99 of its second half is this many times that of its first half…</summary>
    public double LatencyGrowthRatio { get; init; } = 1.5;

    /// <summary>
    /// …and at least this much higher: a few milliseconds of jitter on a busy machine is not a queue
    /// building (past the knee a queue grows by ten milliseconds a second at 1 % overload, more above).
    /// </summary>
    public TimeSpan LatencyGrowthFloor { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Send lag p99 above which a failed step is put down to the load generator, when the lag is also
    /// <see cref="SendLagShare"/> of the response time p99 or more, or its maximum reached
    /// <see cref="RateTolerancePercent"/> of the step (the generator could not send at the rate).
    /// </summary>
    public TimeSpan SendLagLimit { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The share of response time p99 a failed step's send lag p99 must reach for the step to be put down to the load generator.</summary>
    public double SendLagShare { get; init; } = 0.5;

    /// <summary>Growth steps at most when no <see cref="To"/> is given.</summary>
    public int MaxGrowthSteps { get; init; } = 20;

    /// <summary>The warm-up of the step with number <paramref name="index"/> (from 0).</summary>
    public TimeSpan WarmUpOf(int index) => index == 0 ? FirstWarmUp : StepWarmUp ?? StepDuration / 5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that cannot work.</summary>
    public void Validate()
    {
        if (!double.IsFinite(From) || From <= 0)
        {
            throw new ArgumentException($"The first rate must be above zero; got {From}.");
        }

        if (To is { } to && (!double.IsFinite(to) || to <= From))
        {
            throw new ArgumentException($"The highest rate ({to}) must be above the first ({From}).");
        }

        if (!double.IsFinite(Growth) || Growth <= 1)
        {
            throw new ArgumentException($"The growth factor must be above 1; got {Growth}.");
        }

        if (StepDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException("The step duration must be longer than zero.");
        }

        if (FirstWarmUp < TimeSpan.Zero || StepWarmUp < TimeSpan.Zero)
        {
            throw new ArgumentException("A warm-up cannot be negative.");
        }

        if (BisectRounds < 0 || MaxGrowthSteps < 1)
        {
            throw new ArgumentException("Bisection rounds must be at least 0 and growth steps at least 1.");
        }
    }
}
