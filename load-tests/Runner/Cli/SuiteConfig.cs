using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OrleansVoucher.LoadTests.Runner.Cli;

/// <summary>
/// A suite file (<c>run --config suite.json</c>): the target, the scenarios with their loads, warm-ups and
/// thresholds, and the report settings. Durations are written like <c>30s</c>; comments and trailing
/// commas are allowed; an unknown property is an error, so that a typo cannot silently drop a setting.
/// See docs/load-testing.md for an example.
/// </summary>
public sealed class SuiteConfig
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly Regex s_unmapped = new("^The JSON property '(.*)' could not be mapped", RegexOptions.CultureInvariant);
    private static readonly Regex s_unconvertible = new(@"^The JSON value could not be converted to ([^ ]+?)\.( |$)", RegexOptions.CultureInvariant);

    public string? Name { get; set; }

    public string? Target { get; set; }

    /// <summary>Without a target, the store of the engine the runner starts: <c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string? Store { get; set; }

    /// <summary>Without a target, a PostgreSQL connection string for the engine the runner starts.</summary>
    public string? Pg { get; set; }

    public string? ReportDir { get; set; }

    public List<string>? Formats { get; set; }

    public string? ReportingInterval { get; set; }

    public int? MaxInFlight { get; set; }

    public string? RequestTimeout { get; set; }

    public string? DrainTimeout { get; set; }

    public int? Seed { get; set; }

    /// <summary>The warm-up of every scenario that does not set its own.</summary>
    public string? WarmUp { get; set; }

    /// <summary>Thresholds for every scenario (or, with a <c>name:</c> prefix, for one).</summary>
    public List<string>? Thresholds { get; set; }

    public List<SuiteScenario>? Scenarios { get; set; }

    /// <summary>When given, the run searches the capacity of the suite's one scenario (or the one named on the command line) instead of running its load.</summary>
    public SuiteCapacity? Capacity { get; set; }

    /// <summary>Reads and checks a suite file; throws <see cref="FormatException"/> naming the file and the problem.</summary>
    public static SuiteConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException exception)
        {
            throw new FormatException($"Cannot read suite file '{path}': {exception.Message}", exception);
        }

        return Parse(json, path);
    }

    /// <summary>Parses suite JSON; <paramref name="source"/> names it in error messages.</summary>
    public static SuiteConfig Parse(string json, string source = "suite")
    {
        SuiteConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<SuiteConfig>(json, s_options);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"{source}: {Explain(exception)}", exception);
        }

        if (config?.Scenarios is not { Count: > 0 })
        {
            throw new FormatException($"{source}: \"scenarios\" must list at least one scenario.");
        }

        foreach (var scenario in config.Scenarios)
        {
            if (string.IsNullOrWhiteSpace(scenario.Scenario))
            {
                throw new FormatException($"{source}: every scenario needs \"scenario\": the registered name to run (see run --list).");
            }
        }

        return config;
    }

    /// <summary>A JSON error in the file's terms — the property and where it is — rather than the serializer's .NET types.</summary>
    private static string Explain(JsonException exception)
    {
        var where = string.Join(", ", new[]
        {
            exception.Path is { Length: > 1 } path ? path : null,
            exception.LineNumber is { } line ? $"line {line + 1}" : null,
        }.Where(part => part is not null));
        var at = where.Length == 0 ? string.Empty : $" (at {where})";
        var unknown = s_unmapped.Match(exception.Message);
        if (unknown.Success)
        {
            return $"unknown property \"{unknown.Groups[1].Value}\"{at}; the properties are listed in docs/load-testing.md, \"Suite files\".";
        }

        var mistyped = s_unconvertible.Match(exception.Message);
        if (mistyped.Success)
        {
            var expected = mistyped.Groups[1].Value switch
            {
                var type when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Int", StringComparison.Ordinal) => "a number",
                var type when type.Contains("String", StringComparison.Ordinal) && !type.Contains("List", StringComparison.Ordinal) => "a string (durations are strings such as \"30s\")",
                var type when type.Contains("List", StringComparison.Ordinal) => "a list [ … ]",
                _ => "an object { … }",
            };
            return $"a value of the wrong type{at}: expected {expected}.";
        }

        return exception.Message;
    }

    /// <summary>Parses a duration setting, naming it in the error.</summary>
    internal static TimeSpan? Duration(string? text, string what) =>
        text is null ? null : DurationText.TryParse(text, out var value) ? value : throw new FormatException($"{what}: '{text}' is not a duration such as 30s, 500ms or 2m.");
}

/// <summary>
/// A suite's capacity search: <c>{"from": 50, "to": 5000, "stepDuration": "10s"}</c>, optionally
/// <c>"growth"</c> (2), <c>"bisectRounds"</c> (3) and <c>"stepWarmUp"</c> (a fifth of the step); the first
/// step warms up for the scenario's warm-up. See <see cref="CapacityOptions"/>.
/// </summary>
public sealed class SuiteCapacity
{
    public double? From { get; set; }

    public double? To { get; set; }

    public double? Growth { get; set; }

    public string? StepDuration { get; set; }

    public string? StepWarmUp { get; set; }

    public int? BisectRounds { get; set; }

    /// <summary>The search these settings describe; throws <see cref="FormatException"/> naming the setting that cannot work.</summary>
    public CapacityOptions ToOptions(TimeSpan firstWarmUp)
    {
        var defaults = new CapacityOptions();
        var options = new CapacityOptions
        {
            From = From ?? defaults.From,
            To = To,
            Growth = Growth ?? defaults.Growth,
            StepDuration = SuiteConfig.Duration(StepDuration, "capacity stepDuration") ?? defaults.StepDuration,
            StepWarmUp = SuiteConfig.Duration(StepWarmUp, "capacity stepWarmUp"),
            BisectRounds = BisectRounds ?? defaults.BisectRounds,
            FirstWarmUp = firstWarmUp,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new FormatException($"capacity: {exception.Message}", exception);
        }

        return options;
    }
}

/// <summary>One scenario of a suite file.</summary>
public sealed class SuiteScenario
{
    /// <summary>The registered scenario to run (see <c>run --list</c>).</summary>
    public string? Scenario { get; set; }

    /// <summary>The name it runs under in the reports (default: the registered name); lets a suite run one scenario twice.</summary>
    public string? Name { get; set; }

    /// <summary>This scenario's target, instead of the suite's.</summary>
    public string? Target { get; set; }

    /// <summary>Scenario-specific settings, passed to its factory (e.g. <c>{ "path": "/health/live" }</c> for http-get).</summary>
    public JsonElement? Settings { get; set; }

    public string? WarmUp { get; set; }

    /// <summary>Shorthand load: a rate (open model) or concurrency (closed) with duration, optional ramp-up or iterations.</summary>
    public double? Rate { get; set; }

    public int? Concurrency { get; set; }

    public string? Duration { get; set; }

    public string? RampUp { get; set; }

    public long? Iterations { get; set; }

    /// <summary>The load phases in full; takes precedence over the shorthand.</summary>
    public List<SuiteLoad>? Load { get; set; }

    public List<string>? Thresholds { get; set; }
}

/// <summary>
/// One load phase: <c>{"type": "inject", "rate": 500, "interval": "1s", "during": "30s"}</c>. Types:
/// <c>inject</c>, <c>ramping-inject</c>, <c>iterations-for-inject</c> (rate, interval, during or
/// iterations), <c>keep-constant</c>, <c>ramping-constant</c>, <c>iterations-for-constant</c> (copies,
/// during or iterations), <c>pause</c> (during).
/// </summary>
public sealed class SuiteLoad
{
    public string? Type { get; set; }

    public double? Rate { get; set; }

    public string? Interval { get; set; }

    public string? During { get; set; }

    public int? Copies { get; set; }

    public long? Iterations { get; set; }

    /// <summary>The simulation this phase describes; throws <see cref="FormatException"/> when a field it needs is missing.</summary>
    public LoadSimulation ToSimulation(string where)
    {
        var type = (Type ?? string.Empty).Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        var interval = SuiteConfig.Duration(Interval, $"{where} interval") ?? TimeSpan.FromSeconds(1);
        try
        {
            return type switch
            {
                "inject" => Simulation.Inject(Need(Rate, "rate"), interval, NeedDuration(During, "during")),
                "rampinginject" => Simulation.RampingInject(Need(Rate, "rate"), interval, NeedDuration(During, "during")),
                "iterationsforinject" => Simulation.IterationsForInject(Need(Rate, "rate"), interval, Need(Iterations, "iterations")),
                "keepconstant" => Simulation.KeepConstant(Need(Copies, "copies"), NeedDuration(During, "during")),
                "rampingconstant" => Simulation.RampingConstant(Need(Copies, "copies"), NeedDuration(During, "during")),
                "iterationsforconstant" => Simulation.IterationsForConstant(Need(Copies, "copies"), Need(Iterations, "iterations")),
                "pause" => Simulation.Pause(NeedDuration(During, "during")),
                _ => throw new FormatException(
                    $"{where}: type '{Type}' is not a load simulation; use inject, ramping-inject, iterations-for-inject, keep-constant, ramping-constant, iterations-for-constant or pause."),
            };
        }
        catch (ArgumentException exception)
        {
            throw new FormatException($"{where}: {exception.Message}", exception);
        }

        T Need<T>(T? value, string field)
            where T : struct => value ?? throw new FormatException($"{where}: the {Type} phase needs \"{field}\".");

        TimeSpan NeedDuration(string? value, string field) =>
            SuiteConfig.Duration(value, $"{where} {field}") ?? throw new FormatException($"{where}: the {Type} phase needs \"{field}\".");
    }
}
