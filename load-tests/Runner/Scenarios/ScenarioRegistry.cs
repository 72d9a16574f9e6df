using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansVoucher.LoadTests.Hosting;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// The settings a scenario factory gets: what the command line or the suite file asked for. A factory
/// builds the step function from them; the runner then applies the load, warm-up and thresholds given
/// there over whatever the factory set, so a factory only sets its own default load.
/// </summary>
public sealed record RunSettings
{
    /// <summary>The system under test: a base URL (or, for <c>http-get</c>, the full URL to call).</summary>
    public Uri? TargetUrl { get; init; }

    /// <summary>Open-model rate in invocations per second, when given.</summary>
    public double? Rate { get; init; }

    /// <summary>Closed-model copies, when given.</summary>
    public int? Concurrency { get; init; }

    /// <summary>How long the steady load runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A linear ramp from zero before the steady load, when given.</summary>
    public TimeSpan? RampUp { get; init; }

    /// <summary>Run this many invocations instead of for <see cref="Duration"/>, when given.</summary>
    public long? Iterations { get; init; }

    /// <summary>The warm-up before measuring.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The load phases from a suite file, when given; they take precedence over rate and concurrency.</summary>
    public IReadOnlyList<LoadSimulation>? Load { get; init; }

    /// <summary>Without a <see cref="TargetUrl"/>, how to start the engine an API scenario loads.</summary>
    public EngineOptions Engine { get; init; } = new();

    /// <summary>The time one HTTP request may take before it fails as a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The load these settings ask for, or null when they ask for none (the scenario's own load then
    /// applies): the suite file's phases; else an optional ramp from zero followed by
    /// <see cref="Rate"/> (inject) or <see cref="Concurrency"/> (keep constant) for <see cref="Duration"/>
    /// or <see cref="Iterations"/>.
    /// </summary>
    public IReadOnlyList<LoadSimulation>? LoadSimulations()
    {
        if (Load is { Count: > 0 })
        {
            return Load;
        }

        var second = TimeSpan.FromSeconds(1);
        var phases = new List<LoadSimulation>();
        if (Rate is { } rate)
        {
            if (RampUp is { } ramp && ramp > TimeSpan.Zero)
            {
                phases.Add(Simulation.RampingInject(rate, second, ramp));
            }

            phases.Add(Iterations is { } iterations ? Simulation.IterationsForInject(rate, second, iterations) : Simulation.Inject(rate, second, Duration));
        }
        else if (Concurrency is { } copies)
        {
            if (RampUp is { } ramp && ramp > TimeSpan.Zero)
            {
                phases.Add(Simulation.RampingConstant(copies, ramp));
            }

            phases.Add(Iterations is { } iterations ? Simulation.IterationsForConstant(copies, iterations) : Simulation.KeepConstant(copies, Duration));
        }

        return phases.Count == 0 ? null : phases;
    }
}

/// <summary>What a scenario factory gets.</summary>
/// <param name="Name">The name the scenario runs under (the registered name, or the suite file's alias).</param>
/// <param name="Settings">The parsed command-line or suite settings.</param>
/// <param name="Http">A client shared by the run, pooled for high concurrency (see <see cref="LoadHttpClient"/>).</param>
/// <param name="ScenarioSettings">The scenario's own <c>settings</c> object from the suite file or <c>--setting</c> flags, when given.</param>
/// <param name="LoggerFactory">For the scenario's logging.</param>
public sealed record ScenarioFactoryContext(
    string Name,
    RunSettings Settings,
    HttpClient Http,
    JsonElement? ScenarioSettings,
    ILoggerFactory LoggerFactory)
{
    /// <summary>The target URL; throws a message telling how to give one when there is none.</summary>
    public Uri TargetUrl => Settings.TargetUrl ?? throw new ScenarioSetupException($"Scenario '{Name}' needs a target: --url http://127.0.0.1:5080/… or \"target\" in the suite file.");

    /// <summary>A string setting from <see cref="ScenarioSettings"/>, or null.</summary>
    public string? Setting(string name) =>
        ScenarioSettings is { ValueKind: JsonValueKind.Object } settings && settings.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}

/// <summary>A scenario cannot be built from the settings given; the message says what to change.</summary>
public sealed class ScenarioSetupException(string message) : Exception(message);

/// <summary>A named scenario that the <c>run</c> command can start.</summary>
/// <param name="Name">What to type after <c>run</c>.</param>
/// <param name="Description">One line for <c>run --list</c>.</param>
/// <param name="Create">Builds the scenario.</param>
public sealed record ScenarioRegistration(string Name, string Description, Func<ScenarioFactoryContext, Scenario> Create);

/// <summary>
/// Adds scenarios to the registry. Every non-abstract class in the load-test assembly implementing it
/// (with a parameterless constructor) is found and called by <see cref="ScenarioRegistry.CreateDefault"/>,
/// so a team adds its scenarios by adding a class, without touching the runner.
/// </summary>
public interface IScenarioCatalog
{
    void Register(ScenarioRegistry registry);
}

/// <summary>The named scenarios the <c>run</c> command knows.</summary>
public sealed class ScenarioRegistry
{
    private readonly Dictionary<string, ScenarioRegistration> _scenarios = new(StringComparer.Ordinal);

    public IEnumerable<ScenarioRegistration> All => _scenarios.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    /// <summary>Registers a scenario; throws if the name is taken.</summary>
    public ScenarioRegistry Add(string name, string description, Func<ScenarioFactoryContext, Scenario> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        if (!_scenarios.TryAdd(name, new ScenarioRegistration(name, description, create)))
        {
            throw new ArgumentException($"A scenario named '{name}' is already registered.", nameof(name));
        }

        return this;
    }

    public bool TryGet(string name, out ScenarioRegistration registration) => _scenarios.TryGetValue(name, out registration!);

    /// <summary>A registry holding every scenario of every <see cref="IScenarioCatalog"/> in <paramref name="assembly"/> (by default, the load-test program).</summary>
    public static ScenarioRegistry CreateDefault(Assembly? assembly = null)
    {
        var registry = new ScenarioRegistry();
        var catalogs = (assembly ?? typeof(ScenarioRegistry).Assembly).GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IScenarioCatalog).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var catalog in catalogs)
        {
            ((IScenarioCatalog)Activator.CreateInstance(catalog)!).Register(registry);
        }

        return registry;
    }
}
