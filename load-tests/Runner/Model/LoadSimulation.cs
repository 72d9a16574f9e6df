using System.Globalization;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// One phase of a scenario's load. The phases run one after another; a ramp starts from where the
/// phase before it ended (or from zero). Open-model phases (inject) start invocations on a fixed arrival
/// schedule whatever the system under test does; closed-model phases (constant) keep a number of copies
/// each running invocations back to back. A scenario uses one model; <see cref="PauseSimulation"/> fits
/// either. Build them with <see cref="Simulation"/>.
/// </summary>
public abstract record LoadSimulation
{
    private protected LoadSimulation()
    {
    }

    /// <summary>Whether invocations start on a schedule (open model) rather than after the previous one ends.</summary>
    public abstract bool IsOpenModel { get; }

    /// <summary>Whether invocations end the previous one (closed model).</summary>
    public abstract bool IsClosedModel { get; }

    /// <summary>How long the phase lasts, or null when it ends after a number of iterations.</summary>
    public abstract TimeSpan? Duration { get; }

    /// <summary>One line for reports, e.g. <c>inject 500/1s for 30s</c>.</summary>
    public abstract string Describe();

    internal static string Format(TimeSpan value) => DurationText.Format(value);

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Open model: <see cref="Rate"/> invocations per <see cref="Interval"/>, evenly spaced, for <see cref="During"/>.</summary>
public sealed record InjectSimulation(double Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation
{
    public override bool IsOpenModel => true;

    public override bool IsClosedModel => false;

    public override TimeSpan? Duration => During;

    public override string Describe() => $"inject {Format(Rate)}/{Format(Interval)} for {Format(During)}";
}

/// <summary>Open model: the rate moves linearly from the previous phase's rate to <see cref="Rate"/> per <see cref="Interval"/> over <see cref="During"/>.</summary>
public sealed record RampingInjectSimulation(double Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation
{
    public override bool IsOpenModel => true;

    public override bool IsClosedModel => false;

    public override TimeSpan? Duration => During;

    public override string Describe() => $"ramping inject to {Format(Rate)}/{Format(Interval)} over {Format(During)}";
}

/// <summary>Open model: <see cref="Rate"/> invocations per <see cref="Interval"/> until <see cref="Iterations"/> have started.</summary>
public sealed record IterationsForInjectSimulation(double Rate, TimeSpan Interval, long Iterations) : LoadSimulation
{
    public override bool IsOpenModel => true;

    public override bool IsClosedModel => false;

    public override TimeSpan? Duration => null;

    public override string Describe() => $"inject {Format(Rate)}/{Format(Interval)} for {Iterations:N0} iterations";
}

/// <summary>Closed model: <see cref="Copies"/> copies, each running invocations back to back, for <see cref="During"/>.</summary>
public sealed record KeepConstantSimulation(int Copies, TimeSpan During) : LoadSimulation
{
    public override bool IsOpenModel => false;

    public override bool IsClosedModel => true;

    public override TimeSpan? Duration => During;

    public override string Describe() => $"keep constant {Copies} copies for {Format(During)}";
}

/// <summary>Closed model: the number of copies moves linearly from the previous phase's to <see cref="Copies"/> over <see cref="During"/>.</summary>
public sealed record RampingConstantSimulation(int Copies, TimeSpan During) : LoadSimulation
{
    public override bool IsOpenModel => false;

    public override bool IsClosedModel => true;

    public override TimeSpan? Duration => During;

    public override string Describe() => $"ramping constant to {Copies} copies over {Format(During)}";
}

/// <summary>Closed model: <see cref="Copies"/> copies share <see cref="Iterations"/> invocations, then stop.</summary>
public sealed record IterationsForConstantSimulation(int Copies, long Iterations) : LoadSimulation
{
    public override bool IsOpenModel => false;

    public override bool IsClosedModel => true;

    public override TimeSpan? Duration => null;

    public override string Describe() => $"keep constant {Copies} copies for {Iterations:N0} iterations";
}

/// <summary>No load for <see cref="During"/>; a ramp after it starts from zero.</summary>
public sealed record PauseSimulation(TimeSpan During) : LoadSimulation
{
    public override bool IsOpenModel => false;

    public override bool IsClosedModel => false;

    public override TimeSpan? Duration => During;

    public override string Describe() => $"pause for {Format(During)}";
}

/// <summary>The load simulations, with the names of their NBomber counterparts.</summary>
public static class Simulation
{
    /// <summary>Open model: <paramref name="rate"/> invocations per <paramref name="interval"/>, evenly spaced, for <paramref name="during"/>.</summary>
    public static LoadSimulation Inject(double rate, TimeSpan interval, TimeSpan during)
    {
        CheckRate(rate, interval);
        CheckDuration(during);
        return new InjectSimulation(rate, interval, during);
    }

    /// <summary>Open model: ramps the rate linearly from the previous phase's to <paramref name="rate"/> per <paramref name="interval"/> over <paramref name="during"/>.</summary>
    public static LoadSimulation RampingInject(double rate, TimeSpan interval, TimeSpan during)
    {
        CheckRate(rate, interval);
        CheckDuration(during);
        return new RampingInjectSimulation(rate, interval, during);
    }

    /// <summary>Open model: <paramref name="rate"/> invocations per <paramref name="interval"/> until <paramref name="iterations"/> have started.</summary>
    public static LoadSimulation IterationsForInject(double rate, TimeSpan interval, long iterations)
    {
        CheckRate(rate, interval);
        if (rate == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), "An iteration-bounded inject needs a rate above zero.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        return new IterationsForInjectSimulation(rate, interval, iterations);
    }

    /// <summary>Closed model: <paramref name="copies"/> copies running back to back for <paramref name="during"/>.</summary>
    public static LoadSimulation KeepConstant(int copies, TimeSpan during)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(copies, 0);
        CheckDuration(during);
        return new KeepConstantSimulation(copies, during);
    }

    /// <summary>Closed model: ramps the copies linearly from the previous phase's to <paramref name="copies"/> over <paramref name="during"/>.</summary>
    public static LoadSimulation RampingConstant(int copies, TimeSpan during)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(copies, 0);
        CheckDuration(during);
        return new RampingConstantSimulation(copies, during);
    }

    /// <summary>Closed model: <paramref name="copies"/> copies share <paramref name="iterations"/> invocations.</summary>
    public static LoadSimulation IterationsForConstant(int copies, long iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(copies, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        return new IterationsForConstantSimulation(copies, iterations);
    }

    /// <summary>No load for <paramref name="during"/>.</summary>
    public static LoadSimulation Pause(TimeSpan during)
    {
        CheckDuration(during);
        return new PauseSimulation(during);
    }

    private static void CheckRate(double rate, TimeSpan interval)
    {
        if (!double.IsFinite(rate) || rate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be a finite number of at least zero.");
        }

        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be longer than zero.");
        }
    }

    private static void CheckDuration(TimeSpan during)
    {
        if (during <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(during), during, "The duration must be longer than zero.");
        }
    }
}
