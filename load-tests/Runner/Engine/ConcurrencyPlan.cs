namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// The closed model's plan: how many copies run when. Each phase is a list of changes at offsets from
/// the phase's start; a ramp moves one copy at a time, each change at the moment the linear ramp
/// crosses the half-way point between two whole numbers, so the copies track the ramp to within ½.
/// </summary>
public sealed class ConcurrencyPlan
{
    /// <summary>The plan of <paramref name="simulations"/>.</summary>
    public ConcurrencyPlan(IReadOnlyList<LoadSimulation> simulations)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        var phases = new List<Phase>();
        var copies = 0;
        foreach (var simulation in simulations)
        {
            switch (simulation)
            {
                case KeepConstantSimulation constant:
                    phases.Add(new Phase(constant.During, null, [new(TimeSpan.Zero, constant.Copies)]));
                    copies = constant.Copies;
                    break;
                case RampingConstantSimulation ramp:
                    phases.Add(new Phase(ramp.During, null, Ramp(copies, ramp.Copies, ramp.During)));
                    copies = ramp.Copies;
                    break;
                case IterationsForConstantSimulation iterations:
                    phases.Add(new Phase(null, iterations.Iterations, [new(TimeSpan.Zero, iterations.Copies)]));
                    copies = iterations.Copies;
                    break;
                case PauseSimulation pause:
                    phases.Add(new Phase(pause.During, null, [new(TimeSpan.Zero, 0)]));
                    copies = 0;
                    break;
                default:
                    throw new ArgumentException($"'{simulation.Describe()}' is an open-model simulation; the concurrency plan takes closed-model ones.", nameof(simulations));
            }
        }

        Phases = phases;
        MaxCopies = phases.Count == 0 ? 0 : phases.Max(p => p.Changes.Max(c => c.Copies));
    }

    /// <summary>The phases in order.</summary>
    public IReadOnlyList<Phase> Phases { get; }

    /// <summary>The most copies that ever run at once.</summary>
    public int MaxCopies { get; }

    /// <summary>The copies the plan asks for at <paramref name="offset"/>, counting iteration-bounded phases as instantaneous.</summary>
    public int CopiesAt(TimeSpan offset)
    {
        var start = TimeSpan.Zero;
        var copies = 0;
        foreach (var phase in Phases)
        {
            foreach (var change in phase.Changes)
            {
                if (start + change.At <= offset)
                {
                    copies = change.Copies;
                }
            }

            start += phase.Duration ?? TimeSpan.Zero;
        }

        return copies;
    }

    private static List<Change> Ramp(int from, int to, TimeSpan during)
    {
        var steps = Math.Abs(to - from);
        var changes = new List<Change> { new(TimeSpan.Zero, from) };
        for (var step = 1; step <= steps; step++)
        {
            var at = TimeSpan.FromTicks((long)Math.Round(during.Ticks * (step - 0.5) / steps));
            changes.Add(new Change(at, from + (Math.Sign(to - from) * step)));
        }

        return changes;
    }

    /// <summary>One phase: lasts <see cref="Duration"/>, or until <see cref="Iterations"/> invocations have run.</summary>
    public sealed record Phase(TimeSpan? Duration, long? Iterations, IReadOnlyList<Change> Changes);

    /// <summary>From <see cref="At"/> (after the phase's start) on, <see cref="Copies"/> copies run.</summary>
    public sealed record Change(TimeSpan At, int Copies);
}
