using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>What a scenario's init and clean hooks get.</summary>
/// <param name="ScenarioName">The scenario's name.</param>
/// <param name="Data">The scenario's shared data; what init puts here every invocation can read.</param>
/// <param name="Logger">The scenario's logger.</param>
/// <param name="CancellationToken">Cancelled when the run is stopped.</param>
public sealed record ScenarioInitContext(
    string ScenarioName,
    ConcurrentDictionary<string, object?> Data,
    ILogger Logger,
    CancellationToken CancellationToken)
{
    /// <summary>
    /// For a clean hook: whether the scenario's init hook ran to completion. When it threw (or never ran
    /// because another scenario's did), there was no load: release what the hooks hold and check nothing.
    /// </summary>
    public bool InitCompleted { get; init; } = true;

    /// <summary>Where <see cref="CheckHeld"/> records, set by the runner for a clean hook.</summary>
    internal Action<string>? OnCheckHeld { get; init; }

    /// <summary>
    /// For a clean hook: records a check it made that held (for a domain scenario, its invariants), so the
    /// reports show it was made. A check that fails throws instead, and the reports list it as failed.
    /// </summary>
    public void CheckHeld(string what) => OnCheckHeld?.Invoke($"{ScenarioName}: {what}");
}

/// <summary>
/// A named unit of load: a step function run once per invocation, the load simulations that decide when
/// invocations start, a warm-up whose results are discarded, thresholds judged at the end, and hooks run
/// before and after. Immutable; each <c>With…</c> returns a changed copy.
/// </summary>
/// <example>
/// <code>
/// var scenario = Scenario.Create("health", async context =>
///     {
///         using var response = await http.GetAsync(url, context.CancellationToken);
///         return response.IsSuccessStatusCode ? Response.Ok(((int)response.StatusCode).ToString()) : Response.Fail("not ready");
///     })
///     .WithWarmUpDuration(TimeSpan.FromSeconds(5))
///     .WithLoadSimulations(Simulation.Inject(rate: 500, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(30)))
///     .WithThresholds(Threshold.Parse("p99 &lt;= 25ms"), Threshold.Parse("fail_percent &lt;= 0.1"));
/// </code>
/// </example>
public sealed record Scenario
{
    /// <summary>The load when none is given: 10 invocations a second for 30 seconds.</summary>
    public static readonly IReadOnlyList<LoadSimulation> DefaultLoad = [Simulation.Inject(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30))];

    private Scenario(string name, Func<ScenarioContext, Task<Response>> run)
    {
        Name = name;
        Run = run;
    }

    /// <summary>The name in reports and thresholds.</summary>
    public string Name { get; init; }

    /// <summary>The step function, run once per invocation.</summary>
    public Func<ScenarioContext, Task<Response>> Run { get; init; }

    /// <summary>Runs once before the warm-up.</summary>
    public Func<ScenarioInitContext, Task>? Init { get; init; }

    /// <summary>Runs once after the last invocation has ended.</summary>
    public Func<ScenarioInitContext, Task>? Clean { get; init; }

    /// <summary>How long the load runs before measuring starts; its results are discarded. Zero for none.</summary>
    public TimeSpan WarmUpDuration { get; init; }

    /// <summary>The load phases, run one after another.</summary>
    public IReadOnlyList<LoadSimulation> LoadSimulations { get; init; } = DefaultLoad;

    /// <summary>Judged at the end; any broken one fails the run.</summary>
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>Free text shown with the scenario in the reports (what it calls, with which data).</summary>
    public string? Description { get; init; }

    /// <summary>Whether the scenario's load is open-model (a fixed arrival schedule) rather than closed-model.</summary>
    public bool IsOpenModel => LoadSimulations.Any(s => s.IsOpenModel);

    /// <summary>A scenario that runs <paramref name="run"/> once per invocation.</summary>
    public static Scenario Create(string name, Func<ScenarioContext, Task<Response>> run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(run);
        return new Scenario(name, run);
    }

    /// <summary>
    /// A scenario whose invocation runs <paramref name="steps"/> in order, each recorded as a step, and
    /// fails at the first failing step.
    /// </summary>
    public static Scenario Create(string name, params (string Name, Func<ScenarioContext, Task<Response>> Run)[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Length == 0)
        {
            throw new ArgumentException("A scenario needs at least one step.", nameof(steps));
        }

        return Create(name, async context =>
        {
            var last = Response.Ok();
            foreach (var (stepName, run) in steps)
            {
                last = await context.Step(stepName, () => run(context)).ConfigureAwait(false);
                if (last.IsError)
                {
                    return last;
                }
            }

            return last;
        });
    }

    public Scenario WithInit(Func<ScenarioInitContext, Task> init) => this with { Init = init };

    public Scenario WithClean(Func<ScenarioInitContext, Task> clean) => this with { Clean = clean };

    public Scenario WithWarmUpDuration(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return this with { WarmUpDuration = duration };
    }

    public Scenario WithoutWarmUp() => this with { WarmUpDuration = TimeSpan.Zero };

    /// <summary>Sets the load phases; throws when they mix the open and the closed model.</summary>
    public Scenario WithLoadSimulations(params LoadSimulation[] simulations)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        if (simulations.Length == 0)
        {
            throw new ArgumentException("A scenario needs at least one load simulation.", nameof(simulations));
        }

        if (simulations.Any(s => s.IsOpenModel) && simulations.Any(s => s.IsClosedModel))
        {
            throw new ArgumentException(
                "A scenario's load is either open-model (inject) or closed-model (constant), not both: their latencies mean different things. Use two scenarios.",
                nameof(simulations));
        }

        if (simulations.All(s => s is PauseSimulation))
        {
            throw new ArgumentException("A scenario's load needs at least one phase that is not a pause.", nameof(simulations));
        }

        return this with { LoadSimulations = [.. simulations] };
    }

    public Scenario WithThresholds(params Threshold[] thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return this with { Thresholds = [.. Thresholds, .. thresholds] };
    }

    public Scenario WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return this with { Name = name };
    }

    public Scenario WithDescription(string description) => this with { Description = description };
}
