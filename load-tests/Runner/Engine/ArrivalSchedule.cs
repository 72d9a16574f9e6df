namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// The open model's arrival schedule: the intended start time of every invocation, computed from the
/// load simulations alone, before the run and whatever the system under test does.
/// </summary>
/// <remarks>
/// The rate within a phase is a linear function of time (constant for inject, a ramp for ramping
/// inject), so the number of arrivals expected by time <c>t</c> is
/// <c>N(t) = r0·t + (r1 − r0)·t²/(2·D)</c>. The invocations start where the running total (carried from
/// phase to phase) crosses a whole number, which is found by solving that quadratic in closed form:
/// evenly spaced for a constant rate, tightening or widening along a ramp, with no drift over long runs
/// and no burst at phase boundaries.
/// </remarks>
public sealed class ArrivalSchedule
{
    private readonly List<Segment> _segments = [];

    /// <summary>
    /// The schedule of <paramref name="simulations"/>, cut at <paramref name="cut"/> (for the warm-up) when given.
    /// A cut longer than the simulations replays them from the start until it, as a warm-up longer than the
    /// load warms up for its whole length; a load bounded by iterations is sent once.
    /// </summary>
    public ArrivalSchedule(IReadOnlyList<LoadSimulation> simulations, TimeSpan? cut = null)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        var previousRate = 0.0;
        var start = TimeSpan.Zero;
        var replay = cut is not null && !simulations.Any(s => s is IterationsForInjectSimulation);
        do
        {
            foreach (var simulation in simulations)
            {
                Add(simulation);
            }
        }
        while (replay && start > TimeSpan.Zero && start < cut);

        Duration = cut is { } limit && limit < start ? limit : start;

        void Add(LoadSimulation simulation)
        {
            var segment = simulation switch
            {
                InjectSimulation inject => new Segment(start, inject.During, PerSecond(inject.Rate, inject.Interval), PerSecond(inject.Rate, inject.Interval), null),
                RampingInjectSimulation ramp => new Segment(start, ramp.During, previousRate, PerSecond(ramp.Rate, ramp.Interval), null),
                IterationsForInjectSimulation iterations => new Segment(
                    start,
                    Seconds(iterations.Iterations / PerSecond(iterations.Rate, iterations.Interval)),
                    PerSecond(iterations.Rate, iterations.Interval),
                    PerSecond(iterations.Rate, iterations.Interval),
                    iterations.Iterations),
                PauseSimulation pause => new Segment(start, pause.During, 0, 0, null),
                _ => throw new ArgumentException($"'{simulation.Describe()}' is a closed-model simulation; the arrival schedule takes open-model ones.", nameof(simulations)),
            };
            _segments.Add(segment);
            previousRate = segment.EndRate;
            start += segment.Duration;
        }
    }

    /// <summary>How long the schedule lasts: the phases' durations added up (an iteration-bounded inject lasts iterations ÷ rate), or the cut.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The intended start of every invocation, as offsets from the start of the schedule, in order.</summary>
    public IEnumerable<TimeSpan> Arrivals()
    {
        var total = 0.0;
        foreach (var segment in _segments)
        {
            if (segment.Start >= Duration)
            {
                yield break;
            }

            var seconds = segment.Duration.TotalSeconds;
            var firstCount = Math.Max(0, Math.Ceiling(total) - total);
            for (long index = 0; segment.Iterations is not { } limit || index < limit; index++)
            {
                var at = segment.TimeAtCount(firstCount + index);
                if (!(at < seconds))
                {
                    break;
                }

                var offset = segment.Start + Seconds(at);
                if (offset >= Duration)
                {
                    yield break;
                }

                yield return offset;
            }

            total = Math.Round(total + segment.CountAt(seconds), 9);
        }
    }

    /// <summary>The target rate, in invocations per second, at <paramref name="offset"/> from the start.</summary>
    public double RateAt(TimeSpan offset)
    {
        foreach (var segment in _segments)
        {
            if (offset >= segment.Start && offset < segment.Start + segment.Duration)
            {
                var fraction = (offset - segment.Start) / segment.Duration;
                return segment.StartRate + ((segment.EndRate - segment.StartRate) * fraction);
            }
        }

        return 0;
    }

    private static double PerSecond(double rate, TimeSpan interval) => rate / interval.TotalSeconds;

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    private sealed record Segment(TimeSpan Start, TimeSpan Duration, double StartRate, double EndRate, long? Iterations)
    {
        // N(t) = b·t + a·t², with b the start rate and a half the slope.
        private double Slope => (EndRate - StartRate) / (2 * Duration.TotalSeconds);

        public double CountAt(double seconds) => Iterations is { } iterations ? iterations : (StartRate * seconds) + (Slope * seconds * seconds);

        // The time at which N(t) reaches `count`; +∞ when it never does. 2n / (b + √(b² + 4an)) is the
        // positive root written so that it stays exact when a is zero or tiny.
        public double TimeAtCount(double count)
        {
            var a = Slope;
            var b = StartRate;
            if (count == 0)
            {
                return b > 0 || a > 0 ? 0 : double.PositiveInfinity;
            }

            var discriminant = (b * b) + (4 * a * count);
            if (discriminant < 0)
            {
                return double.PositiveInfinity;
            }

            var denominator = b + Math.Sqrt(discriminant);
            return denominator <= 0 ? double.PositiveInfinity : 2 * count / denominator;
        }
    }
}
