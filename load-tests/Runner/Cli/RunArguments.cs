using System.Globalization;
using OrleansVoucher.LoadTests.Cli;
using OrleansVoucher.LoadTests.Hosting;

namespace OrleansVoucher.LoadTests.Runner.Cli;

/// <summary>
/// The <c>run</c> command's arguments: <c>run &lt;scenario&gt; [--rate R | --concurrency C] [--duration D]
/// [--warmup W] [--url U] [--threshold T]... [--report-dir DIR]</c>, <c>run &lt;scenario&gt; --find-capacity
/// --threshold T [--from R] [--to R] [--step-duration D]</c>, or <c>run --config suite.json</c>.
/// Options are <c>--name value</c> or <c>--name=value</c>; <c>--threshold</c> and <c>--setting</c> repeat.
/// </summary>
public sealed class RunArguments
{
    /// <summary>Every option with its value's name and help text, for the usage text.</summary>
    public static readonly IReadOnlyList<(string Name, string Value, string Help)> Options =
    [
        ("url", "url", "the target: for http-get the URL to call, for API scenarios the API's base URL"),
        ("store", "sqlite|postgres", "without --url: the store of the engine the runner starts (default sqlite; postgres starts a throwaway server)"),
        ("pg", "connection string", "without --url: start the engine on this PostgreSQL database"),
        ("rate", "n", "open model: n requests per second on a fixed schedule (inject)"),
        ("concurrency", "n", "closed model: n copies sending back to back (keep constant)"),
        ("duration", "time", "how long the steady load runs (default 30s)"),
        ("ramp-up", "time", "ramp linearly from zero to the rate or copies first"),
        ("iterations", "n", "send n requests instead of running for a duration"),
        ("warmup", "time", "load before measuring, results discarded (default 5s; 0 for none)"),
        ("threshold", "rule", "e.g. \"p99<=25ms\", \"fail_percent<=0.1\", \"rps>=1000\"; repeatable"),
        ("setting", "name=value", "a scenario setting, as in a suite file's \"settings\"; repeatable"),
        ("config", "file", "run a suite file; a scenario name given too picks one of its scenarios"),
        ("report-dir", "dir", "where the reports go (default reports/<yyyyMMdd-HHmmss>)"),
        ("format", "list", "report formats: txt,md,csv,html,json or all (default all)"),
        ("max-in-flight", "n", "requests of one scenario running at once; more are failures (default 10000)"),
        ("timeout", "time", "how long one HTTP request may take (default 30s)"),
        ("interval", "time", "reporting interval: chart resolution and live view (default 1s)"),
        ("drain-timeout", "time", "how long requests still running at the end may finish (default 10s)"),
        ("seed", "n", "seed of the scenarios' random data (default 1)"),
        ("name", "text", "the test's name in the reports"),
        ("find-capacity", string.Empty, "search the highest rate that holds every --threshold and stays stable (open model)"),
        ("from", "n", "capacity search: the first step's rate (default 10)"),
        ("to", "n", "capacity search: the highest rate to try (default: grow until a step fails)"),
        ("step-duration", "time", "capacity search: how long each step is measured (default 10s)"),
        ("list", string.Empty, "list the scenarios and exit"),
    ];

    public string? Scenario { get; private set; }

    public string? Config { get; private set; }

    public Uri? Url { get; private set; }

    /// <summary>The store of the engine the runner starts when there is no target, when given.</summary>
    public EngineStore? Store { get; private set; }

    /// <summary>The PostgreSQL connection string of the engine the runner starts, when given.</summary>
    public string? Pg { get; private set; }

    public double? Rate { get; private set; }

    public int? Concurrency { get; private set; }

    public TimeSpan? Duration { get; private set; }

    public TimeSpan? RampUp { get; private set; }

    public long? Iterations { get; private set; }

    public TimeSpan? WarmUp { get; private set; }

    public List<Threshold> Thresholds { get; } = [];

    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    public string? ReportDir { get; private set; }

    public List<string> Formats { get; } = [];

    public int? MaxInFlight { get; private set; }

    public TimeSpan? Timeout { get; private set; }

    public TimeSpan? Interval { get; private set; }

    public TimeSpan? DrainTimeout { get; private set; }

    public int? Seed { get; private set; }

    public string? Name { get; private set; }

    public bool List { get; private set; }

    /// <summary>Whether to search the capacity (<c>--find-capacity</c>) instead of running one load.</summary>
    public bool FindCapacity { get; private set; }

    /// <summary>The capacity search's first rate, when given.</summary>
    public double? From { get; private set; }

    /// <summary>The capacity search's highest rate, when given.</summary>
    public double? To { get; private set; }

    /// <summary>How long each capacity step is measured, when given.</summary>
    public TimeSpan? StepDuration { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Whether a flag that shapes the load was given (not allowed with <c>--config</c>).</summary>
    public bool HasLoadFlags => Rate is not null || Concurrency is not null || Duration is not null || RampUp is not null || Iterations is not null || Settings.Count > 0
        || FindCapacity || From is not null || To is not null || StepDuration is not null;

    /// <summary>Parses the arguments after <c>run</c>; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static RunArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = new RunArguments();
        if (HelpRequest.IsAskedFor(args, Arity))
        {
            // Help wins over any other mistake on the line: whoever asked for it is finding out how to fix them.
            parsed.Help = true;
            return parsed;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (parsed.Scenario is not null)
                {
                    throw new FormatException($"Unexpected argument '{arg}': give one scenario name (use a suite file for several).");
                }

                parsed.Scenario = arg;
                continue;
            }

            string name;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
            }

            if (!Options.Any(o => o.Name == name))
            {
                throw new FormatException($"Unknown option --{name}.");
            }

            if (Arity(name) == OptionArity.Flag)
            {
                if (value is not null)
                {
                    throw new FormatException($"Option --{name} takes no value.");
                }

                parsed.List |= name == "list";
                parsed.FindCapacity |= name == "find-capacity";
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"Option --{name} needs a value.");
                }

                value = args[++i];
            }

            parsed.Set(name, value);
        }

        if (parsed.Rate is not null && parsed.Concurrency is not null)
        {
            throw new FormatException("Give --rate (open model) or --concurrency (closed model), not both.");
        }

        if (parsed.Pg is not null && parsed.Store == EngineStore.Sqlite)
        {
            throw new FormatException("--pg starts the engine on PostgreSQL; it does not go with --store sqlite.");
        }

        if (parsed.Url is not null && (parsed.Pg is not null || parsed.Store is not null))
        {
            throw new FormatException("--store and --pg choose the store of the engine the runner starts; with --url the engine is already running.");
        }

        if ((parsed.Iterations is not null || parsed.RampUp is not null) && parsed.Rate is null && parsed.Concurrency is null)
        {
            throw new FormatException("--iterations and --ramp-up shape a load given by --rate or --concurrency; give one of them too.");
        }

        parsed.CheckCapacityFlags();
        return parsed;
    }

    /// <summary>Whether <paramref name="name"/> is an option of <c>run</c>, and whether it takes a value: every one does but the flags, which name none in <see cref="Options"/>.</summary>
    private static OptionArity Arity(string name)
    {
        var option = Options.FirstOrDefault(o => o.Name == name);
        return option.Name is null ? OptionArity.Unknown : option.Value.Length == 0 ? OptionArity.Flag : OptionArity.Value;
    }

    private void CheckCapacityFlags()
    {
        if (!FindCapacity)
        {
            if (From is not null || To is not null || StepDuration is not null)
            {
                throw new FormatException("--from, --to and --step-duration shape a capacity search; give --find-capacity too.");
            }

            return;
        }

        if (Config is not null)
        {
            throw new FormatException("With --config the capacity search comes from the suite file: put \"capacity\": { \"from\": …, \"to\": …, \"stepDuration\": … } there.");
        }

        if (Concurrency is not null)
        {
            throw new FormatException("--find-capacity searches open-model rates; it does not go with --concurrency (a closed model's throughput is an outcome, not a rate it can hold).");
        }

        if (Rate is not null || Duration is not null || RampUp is not null || Iterations is not null)
        {
            throw new FormatException("--find-capacity picks the rates itself: give --from, --to and --step-duration instead of --rate, --duration, --ramp-up or --iterations.");
        }

        if (Thresholds.Count == 0)
        {
            throw new FormatException("--find-capacity judges each step by thresholds: give at least one, e.g. --threshold \"p99 <= 25ms\" --threshold \"fail_percent <= 0.1\".");
        }

        if (From is { } from && To is { } to && to <= from)
        {
            throw new FormatException($"--to ({to.ToString(CultureInfo.InvariantCulture)}) must be above --from ({from.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    /// <summary>The capacity search these arguments ask for (null without <c>--find-capacity</c>); the first step warms up for <c>--warmup</c>.</summary>
    public CapacityOptions? Capacity() => !FindCapacity ? null : new CapacityOptions
    {
        From = From ?? 10,
        To = To,
        StepDuration = StepDuration ?? TimeSpan.FromSeconds(10),
        FirstWarmUp = WarmUp ?? TimeSpan.FromSeconds(5),
    };

    private void Set(string name, string value)
    {
        switch (name)
        {
            case "url":
                Url = Uri.TryCreate(value, UriKind.Absolute, out var url) ? url : throw new FormatException($"--url '{value}' is not an absolute URL, e.g. http://127.0.0.1:5080/health/live.");
                break;
            case "store":
                Store = EngineOptions.ParseStore(value);
                break;
            case "pg":
                Pg = string.IsNullOrWhiteSpace(value) ? throw new FormatException("--pg needs a PostgreSQL connection string, e.g. \"Host=127.0.0.1;Username=postgres;Database=vouchers\".") : value;
                break;
            case "rate":
                Rate = PositiveRate(name, value);
                break;
            case "from":
                From = PositiveRate(name, value);
                break;
            case "to":
                To = PositiveRate(name, value);
                break;
            case "step-duration":
                StepDuration = PositiveDuration(name, value);
                break;
            case "concurrency":
                Concurrency = PositiveInt(name, value);
                break;
            case "duration":
                Duration = PositiveDuration(name, value);
                break;
            case "ramp-up":
                RampUp = PositiveDuration(name, value);
                break;
            case "iterations":
                Iterations = long.TryParse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var iterations) && iterations > 0
                    ? iterations
                    : throw new FormatException($"--iterations must be a whole number above zero; got '{value}'.");
                break;
            case "warmup":
                WarmUp = Duration0(name, value);
                break;
            case "threshold":
                Thresholds.Add(Threshold.Parse(value));
                break;
            case "setting":
                var separator = value.IndexOf('=', StringComparison.Ordinal);
                if (separator <= 0)
                {
                    throw new FormatException($"--setting takes name=value; got '{value}'.");
                }

                Settings[value[..separator]] = value[(separator + 1)..];
                break;
            case "config":
                Config = value;
                break;
            case "report-dir":
                ReportDir = value;
                break;
            case "format":
                Formats.Add(value);
                break;
            case "max-in-flight":
                MaxInFlight = PositiveInt(name, value);
                break;
            case "timeout":
                Timeout = PositiveDuration(name, value);
                break;
            case "interval":
                Interval = PositiveDuration(name, value);
                break;
            case "drain-timeout":
                DrainTimeout = Duration0(name, value);
                break;
            case "seed":
                Seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : throw new FormatException($"--seed must be a whole number; got '{value}'.");
                break;
            case "name":
                Name = value;
                break;
        }
    }

    private static double PositiveRate(string name, string value) =>
        double.TryParse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate)
            ? rate
            : throw new FormatException($"--{name} must be a number of requests per second above zero; got '{value}'.");

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new FormatException($"--{name} must be a whole number above zero; got '{value}'.");

    private static TimeSpan PositiveDuration(string name, string value) =>
        DurationText.TryParse(value, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new FormatException($"--{name} must be a duration above zero such as 30s, 500ms or 2m; got '{value}'.");

    private static TimeSpan Duration0(string name, string value) =>
        DurationText.TryParse(value, out var duration)
            ? duration
            : throw new FormatException($"--{name} must be a duration such as 0, 5s or 1m; got '{value}'.");
}
