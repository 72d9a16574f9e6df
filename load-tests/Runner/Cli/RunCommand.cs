using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Runner.Live;
using OrleansVoucher.LoadTests.Runner.Reports;

namespace OrleansVoucher.LoadTests.Runner.Cli;

/// <summary>
/// <c>run</c>: runs a registered scenario (or a suite file), shows the live view on stderr, writes the
/// reports, prints the text report and a one-line JSON summary on stdout, and exits 0 when every
/// threshold held, 1 when one broke or a check after the run (a clean hook) failed, 2 for a usage or set-up error, 3 when the run itself failed and
/// 130 when stopped with Ctrl+C (reports are still written). With <c>--find-capacity</c> (or a suite's
/// <c>"capacity"</c>) it runs a <see cref="CapacitySearch"/> instead: 0 when it found a capacity, 1 when
/// even the first rate failed or the load generator was the limit.
/// </summary>
internal static class RunCommand
{
    public const string Verb = "run";

    /// <summary>
    /// Runs the command. Help asked for and <c>--list</c> go to <paramref name="output"/> (stdout by default);
    /// usage and command-line errors go to <paramref name="errors"/> (stderr by default).
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, ScenarioRegistry? registry = null, TextWriter? errors = null, TextWriter? output = null)
    {
        registry ??= ScenarioRegistry.CreateDefault();
        errors ??= Console.Error;
        output ??= Console.Out;
        RunArguments arguments;
        try
        {
            arguments = RunArguments.Parse(args);
        }
        catch (FormatException exception)
        {
            // The mistake, then the synopsis: the full option list would push the mistake off the screen.
            errors.WriteLine(exception.Message);
            WriteSynopsis(errors);
            errors.WriteLine("'run --help' lists every option and scenario.");
            return 2;
        }

        if (arguments.Help)
        {
            WriteUsage(output, registry);
            return 0;
        }

        if (arguments.Scenario is null && arguments.Config is null && !arguments.List)
        {
            WriteUsage(errors, registry);
            return 2;
        }

        if (arguments.List)
        {
            foreach (var scenario in registry.All)
            {
                output.WriteLine($"{scenario.Name,-24}{scenario.Description}");
            }

            return 0;
        }

        var view = LiveConsoleView.ForStandardError();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(new ConsoleLoggerProvider(view, LogLevel.Information)));
        Plan plan;
        HttpClient? http = null;
        try
        {
            plan = BuildPlan(arguments, registry, loggers, out http);
        }
        catch (Exception exception) when (exception is FormatException or ScenarioSetupException or ArgumentException or UriFormatException)
        {
            http?.Dispose();
            errors.WriteLine(exception.Message);
            return 2;
        }

        using (http)
        {
            return await ExecuteAsync(plan, view, loggers).ConfigureAwait(false);
        }
    }

    private static async Task<int> ExecuteAsync(Plan plan, LiveConsoleView view, ILoggerFactory loggers)
    {
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                view.Log("Stopping: the load ends now, running requests may finish (Ctrl+C again to cancel them).");
                stop.Cancel();
            }
            else
            {
                abort.Cancel();
            }
        }

        Console.CancelKeyPress += OnCancel;
        RunResult result;
        try
        {
            var options = plan.Options with { Observer = view, LoggerFactory = loggers };
            result = plan.Capacity is { } capacity
                ? await new CapacitySearch(capacity, options).RunAsync(plan.Scenarios[0], stop.Token, abort.Token).ConfigureAwait(false)
                : await new LoadRunner(options).RunAsync(plan.Scenarios, stop.Token, abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled before the load started; no reports.");
            return 130;
        }
        catch (ScenarioInitException exception) when (exception.IsExplained)
        {
            // The target could not be reached or refused the set-up: the message says which; a stack trace would only bury it.
            Console.Error.WriteLine($"The run failed: {exception.Message}");
            return 3;
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"The run failed: {exception}");
            return 3;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }

        var directory = plan.ReportDir ?? ReportWriter.DefaultDirectory(result.StartedUtc);
        Console.Out.WriteLine();
        TextReport.Write(result, Console.Out);
        try
        {
            var files = ReportWriter.Write(result, directory, plan.Formats);
            Console.Error.WriteLine($"Reports in {Path.GetFullPath(directory)}: {string.Join(", ", files.Select(Path.GetFileName))}");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not write the reports to {directory}: {exception.Message}");
            Console.Out.WriteLine(SummaryLine(result, directory));
            return 3;
        }

        Console.Out.WriteLine(SummaryLine(result, directory));
        return result.StoppedEarly ? 130 : result.Passed ? 0 : 1;
    }

    private static Plan BuildPlan(RunArguments arguments, ScenarioRegistry registry, ILoggerFactory loggers, out HttpClient? http)
    {
        http = null;
        var suite = arguments.Config is { } path ? SuiteConfig.Load(path) : null;
        if (suite is not null && arguments.HasLoadFlags)
        {
            throw new FormatException("With --config the load comes from the suite file; --rate, --concurrency, --duration, --ramp-up, --iterations and --setting go there.");
        }

        var entries = suite?.Scenarios ?? [new SuiteScenario { Scenario = arguments.Scenario }];
        if (suite is not null && arguments.Scenario is { } only)
        {
            entries = [.. entries.Where(e => (e.Name ?? e.Scenario) == only)];
            if (entries.Count == 0)
            {
                throw new FormatException($"The suite has no scenario named '{only}'.");
            }
        }

        var searching = arguments.FindCapacity || suite?.Capacity is not null;
        if (searching && entries.Count != 1)
        {
            throw new FormatException("A capacity search loads one scenario: name the one to search after --config (the suite has several).");
        }

        if (suite?.Capacity is not null && (entries[0].Rate is not null || entries[0].Concurrency is not null || entries[0].Load is not null || entries[0].Duration is not null || entries[0].Iterations is not null || entries[0].RampUp is not null))
        {
            throw new FormatException("With \"capacity\" the search picks the rates: the scenario takes no rate, concurrency, duration, rampUp, iterations or load.");
        }

        var maxInFlight = arguments.MaxInFlight ?? suite?.MaxInFlight ?? 10_000;
        var timeout = arguments.Timeout ?? SuiteConfig.Duration(suite?.RequestTimeout, "requestTimeout") ?? TimeSpan.FromSeconds(30);
        var suiteTarget = arguments.Url ?? (suite?.Target is { } target ? ParseUrl(target, "target") : null);
        var suiteWarmUp = arguments.WarmUp ?? SuiteConfig.Duration(suite?.WarmUp, "warmUp") ?? TimeSpan.FromSeconds(5);
        http = LoadHttpClient.Create(maxInFlight * entries.Count, timeout);
        var store = arguments.Store ?? (suite?.Store is { } suiteStore ? EngineOptions.ParseStore(suiteStore, $"{arguments.Config}: \"store\"") : (EngineStore?)null);
        var pg = arguments.Pg ?? suite?.Pg;
        if (pg is not null && store == EngineStore.Sqlite)
        {
            throw new FormatException("A PostgreSQL connection string (--pg, \"pg\") starts the engine on PostgreSQL; it does not go with the store sqlite.");
        }

        var engine = new EngineOptions { Store = pg is not null ? EngineStore.Postgres : store ?? EngineStore.Sqlite, PostgresConnectionString = pg };

        var scenarios = new List<Scenario>();
        var configuration = new List<KeyValuePair<string, string>>
        {
            new("command line", "run " + string.Join(' ', Environment.GetCommandLineArgs().SkipWhile(a => a != Verb).Skip(1))),
        };
        if (arguments.Config is { } configPath)
        {
            configuration.Add(new("suite file", Path.GetFullPath(configPath)));
        }

        CapacityOptions? capacity = null;
        foreach (var entry in entries)
        {
            var where = $"scenario '{entry.Name ?? entry.Scenario}'";
            if (!registry.TryGet(entry.Scenario!, out var registration))
            {
                throw new FormatException($"No scenario is registered as '{entry.Scenario}'. Known: {string.Join(", ", registry.All.Select(r => r.Name))}.");
            }

            var settings = new RunSettings
            {
                TargetUrl = entry.Target is { } own ? ParseUrl(own, where + " target") : suiteTarget,
                Rate = suite is null ? arguments.Rate : entry.Rate,
                Concurrency = suite is null ? arguments.Concurrency : entry.Concurrency,
                Duration = (suite is null ? arguments.Duration : SuiteConfig.Duration(entry.Duration, where + " duration")) ?? TimeSpan.FromSeconds(30),
                RampUp = suite is null ? arguments.RampUp : SuiteConfig.Duration(entry.RampUp, where + " rampUp"),
                Iterations = suite is null ? arguments.Iterations : entry.Iterations,
                WarmUp = arguments.WarmUp ?? SuiteConfig.Duration(entry.WarmUp, where + " warmUp") ?? suiteWarmUp,
                Load = entry.Load?.Select((load, i) => load.ToSimulation($"{where} load[{i}]")).ToList(),
                RequestTimeout = timeout,
                Engine = engine,
            };
            if (searching)
            {
                // The factory sees the step's length and warm-up; the search sets each step's rate.
                capacity = arguments.Capacity() ?? suite!.Capacity!.ToOptions(settings.WarmUp);
                settings = settings with { Duration = capacity.StepDuration, WarmUp = capacity.FirstWarmUp };
            }

            if (settings.Rate is not null && settings.Concurrency is not null)
            {
                throw new FormatException($"{where}: give a rate (open model) or a concurrency (closed model), not both.");
            }

            var scenarioSettings = entry.Settings ?? (arguments.Settings.Count == 0 ? null : JsonSerializer.SerializeToElement(arguments.Settings));
            var name = entry.Name ?? registration.Name;
            var scenario = registration.Create(new ScenarioFactoryContext(name, settings, http, scenarioSettings, loggers)).WithName(name);
            if (settings.LoadSimulations() is { } load)
            {
                scenario = scenario.WithLoadSimulations([.. load]);
            }

            scenario = scenario.WithWarmUpDuration(settings.WarmUp)
                .WithThresholds([.. (entry.Thresholds ?? []).Select(t => Scoped(Threshold.Parse(t), name, where))]);
            scenarios.Add(scenario);
            if (settings.TargetUrl is { } scenarioTarget)
            {
                configuration.Add(new($"scenario {name}: target", scenarioTarget.ToString()));
            }
            else
            {
                configuration.Add(new($"scenario {name}: engine", engine.Describe()));
            }
        }

        var thresholds = (suite?.Thresholds ?? []).Select(Threshold.Parse).Concat(arguments.Thresholds).ToList();
        if (capacity is not null && !thresholds.Concat(scenarios[0].Thresholds).Any(t => t.AppliesTo(scenarios[0].Name)))
        {
            throw new FormatException("A capacity search judges each step by thresholds: give at least one in the suite's or the scenario's \"thresholds\", e.g. \"p99 <= 25ms\".");
        }

        configuration.Add(new("thresholds", thresholds.Count == 0 && scenarios.All(s => s.Thresholds.Count == 0)
            ? "none"
            : string.Join("; ", thresholds.Select(t => t.Text).Concat(scenarios.SelectMany(s => s.Thresholds.Select(t => $"{s.Name}: {t.Text}"))))));
        configuration.Add(new("request timeout", DurationText.Format(timeout)));

        var formats = arguments.Formats.Count > 0 ? ReportWriter.ParseFormats(arguments.Formats)
            : suite?.Formats is { Count: > 0 } suiteFormats ? ReportWriter.ParseFormats(suiteFormats)
            : ReportFormats.All;
        var options = new RunOptions
        {
            TestName = arguments.Name ?? suite?.Name ?? (capacity is not null ? $"{scenarios[0].Name} capacity search" : scenarios.Count == 1 ? $"{scenarios[0].Name} load test" : "OrleansVoucher load test"),
            ReportingInterval = arguments.Interval ?? SuiteConfig.Duration(suite?.ReportingInterval, "reportingInterval") ?? TimeSpan.FromSeconds(1),
            MaxInFlight = maxInFlight,
            DrainTimeout = arguments.DrainTimeout ?? SuiteConfig.Duration(suite?.DrainTimeout, "drainTimeout") ?? TimeSpan.FromSeconds(10),
            Seed = arguments.Seed ?? suite?.Seed ?? 1,
            Thresholds = thresholds,
            Configuration = configuration,
        };
        return new Plan(scenarios, options, arguments.ReportDir ?? suite?.ReportDir, formats, capacity);
    }

    private static Threshold Scoped(Threshold threshold, string scenario, string where) =>
        threshold.Scenario is null || threshold.Scenario == scenario
            ? threshold
            : throw new FormatException($"{where}: threshold '{threshold.Text}' names another scenario; put it in the suite's \"thresholds\".");

    private static Uri ParseUrl(string text, string what) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) ? url : throw new FormatException($"{what}: '{text}' is not an absolute URL.");

    /// <summary>The one line of JSON that ends the output, for scripts.</summary>
    internal static string SummaryLine(RunResult result, string directory)
    {
        var summary = new
        {
            command = Verb,
            test = result.TestName,
            passed = result.Passed,
            stopped_early = result.StoppedEarly,
            report_dir = directory,
            thresholds_broken = result.Thresholds.Count(t => !t.Passed),
            failed_after_the_run = result.CleanFailures,
            held_after_the_run = result.CleanPasses,
            scenarios = result.Scenarios.Select(s => new
            {
                name = s.Name,
                model = s.Model,
                requests = s.Requests,
                ok = s.Ok,
                fail = s.Fail,
                fail_percent = Math.Round(s.FailPercent, 4),
                rps = Math.Round(s.Rps, 2),
                p50_ms = s.ResponseTime.P50,
                p99_ms = s.ResponseTime.P99,
                max_ms = s.ResponseTime.Max,
                service_p99_ms = s.ServiceTime.P99,
            }),
        };
        if (result.Capacity is not { } capacity)
        {
            return JsonSerializer.Serialize(summary);
        }

        var line = JsonSerializer.SerializeToNode(summary)!.AsObject();
        line["capacity_rps"] = capacity.CapacityRps;
        line["capacity_outcome"] = capacity.OutcomeText;
        line["first_failing_rps"] = capacity.FirstFailingRps;
        line["generator_limited_rps"] = capacity.GeneratorLimitedRps;
        line["conclusion"] = capacity.Conclusion;
        line["steps"] = JsonSerializer.SerializeToNode(capacity.Steps.Select(step => new
        {
            step = step.Number,
            phase = step.Phase,
            target_rps = step.TargetRps,
            ok_rps = Math.Round(step.AchievedOkRps, 2),
            p50_ms = step.ResponseTime.P50,
            p99_ms = step.ResponseTime.P99,
            service_p50_ms = step.ServiceTime.P50,
            service_p99_ms = step.ServiceTime.P99,
            send_lag_p99_ms = step.SendLag.P99,
            fail_percent = Math.Round(step.FailPercent, 4),
            verdict = step.Verdict.ToString().ToLowerInvariant(),
            reason = step.Passed ? null : step.Reason,
        }));
        return line.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static void WriteSynopsis(TextWriter writer)
    {
        writer.WriteLine("Usage: OrleansVoucher.LoadTests run <scenario> [--rate R | --concurrency C] [--duration D] [--warmup W]");
        writer.WriteLine("                  [--url U | --store sqlite|postgres | --pg CONNECTION-STRING] [--threshold T]... [--report-dir DIR] [options]");
        writer.WriteLine("       OrleansVoucher.LoadTests run <scenario> --find-capacity --threshold T [--threshold T]... [--from R] [--to R] [--step-duration D] [options]");
        writer.WriteLine("       OrleansVoucher.LoadTests run --config suite.json [scenario]");
        writer.WriteLine("       OrleansVoucher.LoadTests run --list");
    }

    private static void WriteUsage(TextWriter writer, ScenarioRegistry registry)
    {
        WriteSynopsis(writer);
        writer.WriteLine();
        foreach (var (name, value, help) in RunArguments.Options)
        {
            writer.WriteLine($"  --{name}{(value.Length == 0 ? string.Empty : $" <{value}>")}".PadRight(30) + help);
        }

        writer.WriteLine();
        writer.WriteLine("Scenarios:");
        foreach (var scenario in registry.All)
        {
            writer.WriteLine($"  {scenario.Name,-22}{scenario.Description}");
        }

        writer.WriteLine();
        writer.WriteLine("Exit code: 0 all thresholds held (--find-capacity: a capacity was found), 1 a threshold broke or a check after the run failed (no capacity found), 2 usage error, 3 run failed, 130 stopped.");
        writer.WriteLine("See docs/load-testing.md.");
    }

    private sealed record Plan(IReadOnlyList<Scenario> Scenarios, RunOptions Options, string? ReportDir, ReportFormats Formats, CapacityOptions? Capacity);
}
