using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansVoucher.LoadTests.Runner;

namespace OrleansVoucher.LoadTests.Scenarios;

/// <summary>
/// The programme's own scenarios, through the HTTP API (docs/load-testing.md, "Domain scenarios"):
/// <c>claim-storm</c>, <c>verify</c> (the read-only scan), <c>activate</c>, <c>check-in</c>, <c>issue</c>,
/// the mixed <c>enrolment-day</c> and <c>smoke</c>. Each seeds its programme in its init hook and, in its
/// clean hook, checks the engine's invariants through the API; a broken invariant fails the run.
/// </summary>
public sealed class DomainScenarios : IScenarioCatalog
{
    public void Register(ScenarioRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry
            .Add("claim-storm", "workers claim one general campaign with limited stock (settings: stock, workers); checks nothing is oversold", ClaimStorm)
            .Add("verify", "institutions scan claimed vouchers with the read-only check (settings: vouchers, institutions); checks nothing changed", Verify)
            .Add("activate", "institutions verify and so activate claimed vouchers, durably (settings: vouchers, institutions); checks each is activated once", Activate)
            .Add("check-in", "trainees check in to a session with the institution's code (settings: trainees, institutions); checks each attendance is recorded once", CheckIn)
            .Add("issue", "an authority uploads rosters as bulk jobs and waits for each (settings: rows, stock); checks issued + rejected = rows within the stock", Issue)
            .Add("enrolment-day", "claims, scans, activations and check-ins at once (settings: claim, check, activate, check-in weights; institutions); every invariant of each", EnrolmentDay)
            .Add("smoke", "four seconds of enrolment-day at 10 requests a second, after the usual warm-up (--warmup 0 for none); fails on any error or broken invariant", Smoke);
    }

    private static int IntSetting(ScenarioFactoryContext context, string name, int fallback)
    {
        if (context.Setting(name) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ScenarioSetupException($"Scenario '{context.Name}': setting {name} must be a whole number of at least 0; got '{text}'.");
    }

    /// <summary>How many invocations the run will make at most (warm-up included) and ten more, so the seeding creates enough workers or vouchers.</summary>
    private static int Invocations(ScenarioFactoryContext context, double defaultRate, TimeSpan defaultDuration) =>
        PlannedInvocations(context, defaultRate, defaultDuration) + 10;

    /// <summary>How many invocations the run's load plans (warm-up included).</summary>
    private static int PlannedInvocations(ScenarioFactoryContext context, double defaultRate, TimeSpan defaultDuration)
    {
        var settings = context.Settings;
        if (settings.Iterations is { } iterations)
        {
            return (int)iterations;
        }

        if (settings.Load is { Count: > 0 } load)
        {
            // The suite's phases: their own counts, rate × time (a ramp counted at its top rate), or the
            // default rate over a closed phase's time; plus the warm-up at the default rate.
            double total = settings.WarmUp.TotalSeconds * defaultRate;
            foreach (var phase in load)
            {
                total += phase switch
                {
                    InjectSimulation inject => inject.Rate * (inject.During / inject.Interval),
                    RampingInjectSimulation ramp => ramp.Rate * (ramp.During / ramp.Interval),
                    IterationsForInjectSimulation counted => counted.Iterations,
                    IterationsForConstantSimulation counted => counted.Iterations,
                    _ => (phase.Duration ?? TimeSpan.Zero).TotalSeconds * defaultRate,
                };
            }

            return (int)Math.Ceiling(total);
        }

        var seconds = (settings.Rate is null ? defaultDuration : settings.Duration) + settings.WarmUp + (settings.RampUp ?? TimeSpan.Zero);
        return (int)Math.Ceiling((settings.Rate ?? defaultRate) * seconds.TotalSeconds);
    }

    /// <summary>
    /// <c>smoke</c>: four seconds of <c>enrolment-day</c> at 10 requests a second — claims, voucher checks,
    /// verifications and check-ins, each path once a second or more — with every invariant checked after.
    /// </summary>
    private static Scenario Smoke(ScenarioFactoryContext context)
    {
        var smoke = EnrolmentDay(context, Invocations(context, 10, TimeSpan.FromSeconds(4)));
        return smoke with
        {
            Description = "smoke: " + smoke.Description,
            LoadSimulations = [Simulation.Inject(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4))],
            Thresholds = [Threshold.Parse("fail_count<=0")],
        };
    }

    private static Scenario ClaimStorm(ScenarioFactoryContext context) =>
        ClaimStorm(context, IntSetting(context, "stock", 100), IntSetting(context, "workers", Invocations(context, 100, context.Settings.Duration)));

    private static Scenario ClaimStorm(ScenarioFactoryContext context, int stock, int workers)
    {
        DomainWorld? world = null;
        var next = -1;
        var codes = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        return Scenario.Create(context.Name, async scenario =>
            {
                var worker = Interlocked.Increment(ref next);
                if (worker >= workers)
                {
                    return Response.Fail($"all {workers} seeded workers have claimed; raise --setting workers=N");
                }

                return await world!.ClaimAsync(worker, code => codes.TryAdd(code, 0), scenario.CancellationToken).ConfigureAwait(false);
            })
            .WithDescription($"POST /api/v1/campaigns/…/claims, {workers:N0} seeded workers, stock {stock:N0}")
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await StartAsync(context, init).ConfigureAwait(false);
                await world.SeedAsync(institutions: 1, stock, workers, init.CancellationToken).ConfigureAwait(false);
            })
            .WithClean(clean => CheckAsync(world, clean, workers, async (statistics, broken) =>
            {
                var claimed = statistics.GetProperty("claimed").GetInt64();
                if (claimed != codes.Count)
                {
                    broken.Add($"the statistics say {claimed} claimed; the scenario saw {codes.Count} distinct vouchers issued");
                }

                await Task.CompletedTask.ConfigureAwait(false);
                return $"claimed {claimed} of {stock}; the scenario saw {codes.Count}";
            }));
    }

    /// <summary><c>verify</c>: the read-only scan; the seeded vouchers are scanned round-robin and must all stay claimed.</summary>
    /// <remarks>The summary counts the scans the run made (warm-up included), not the vouchers seeded: a short run scans only some of them.</remarks>
    private static Scenario Verify(ScenarioFactoryContext context)
    {
        var vouchers = IntSetting(context, "vouchers", Math.Min(200, Invocations(context, 50, context.Settings.Duration)));
        var institutions = Math.Max(1, IntSetting(context, "institutions", 8));
        if (vouchers < 1)
        {
            throw new ScenarioSetupException($"Scenario '{context.Name}': vouchers must be at least 1.");
        }

        DomainWorld? world = null;
        var held = Array.Empty<string>();
        var scans = 0L;
        var scanned = new ConcurrentDictionary<int, byte>();
        return Scenario.Create(context.Name, async scenario =>
            {
                var n = (int)(scenario.InvocationNumber % held.Length);
                Interlocked.Increment(ref scans);
                scanned.TryAdd(n, 0);
                var (response, verifiable, reason) = await world!.CheckAsync(world.Institution(n % institutions), held[n], world.Citizen(n), scenario.CancellationToken).ConfigureAwait(false);
                return response.IsError || verifiable ? response : Response.Fail($"a claimed voucher checked as not verifiable: {reason}", response.StatusCode, response.SizeBytes);
            })
            .WithDescription($"POST /api/v1/institutions/…/voucher-checks, round-robin over {vouchers:N0} seeded claimed vouchers at {institutions} institutions")
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await StartAsync(context, init).ConfigureAwait(false);
                await world.SeedAsync(institutions, vouchers, vouchers, init.CancellationToken).ConfigureAwait(false);
                held = await world.ClaimAllAsync(0, vouchers, init.CancellationToken).ConfigureAwait(false);
            })
            .WithClean(clean => CheckAsync(world, clean, vouchers, async (statistics, broken) =>
            {
                var activated = statistics.GetProperty("activated").GetInt64();
                var claimed = statistics.GetProperty("claimed").GetInt64();
                if (activated != 0)
                {
                    broken.Add($"scanning changed something: the statistics say {activated} activated");
                }

                if (claimed != vouchers)
                {
                    broken.Add($"the statistics say {claimed} claimed; {vouchers} were seeded");
                }

                var changed = await CountAsync(held, async (code, token) =>
                    (await world!.VoucherAsync(code, token).ConfigureAwait(false)).GetProperty("status").GetString() != "claimed").ConfigureAwait(false);
                if (changed > 0)
                {
                    broken.Add($"scanning changed something: {changed} of the {vouchers} seeded vouchers are no longer claimed");
                }

                return $"{Interlocked.Read(ref scans):N0} scans of {scanned.Count:N0} of the {vouchers:N0} seeded vouchers; all {vouchers:N0} still claimed, activated {activated}";
            }));
    }

    /// <summary><c>activate</c>: verification at enrolment, which activates the voucher durably; each seeded voucher is verified once.</summary>
    private static Scenario Activate(ScenarioFactoryContext context)
    {
        var vouchers = IntSetting(context, "vouchers", Invocations(context, 50, context.Settings.Duration));
        var institutions = Math.Max(2, IntSetting(context, "institutions", 8));
        DomainWorld? world = null;
        var held = Array.Empty<string>();
        var next = -1;
        var activatedAt = new ConcurrentDictionary<int, string>();
        var repeated = 0;
        return Scenario.Create(context.Name, async scenario =>
            {
                var n = Interlocked.Increment(ref next);
                if (n >= held.Length)
                {
                    return Response.Fail($"all {held.Length} seeded vouchers are activated; raise --setting vouchers=N");
                }

                var institution = world!.Institution(n % institutions);
                var response = await world.VerifyAsync(institution, held[n], world.Citizen(n), DomainWorld.EnrolmentClass, scenario.CancellationToken).ConfigureAwait(false);
                if (response.IsOk && !activatedAt.TryAdd(n, institution))
                {
                    Interlocked.Increment(ref repeated);
                }

                return response;
            })
            .WithDescription($"POST /api/v1/institutions/…/verifications, {vouchers:N0} seeded claimed vouchers at {institutions} institutions")
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await StartAsync(context, init).ConfigureAwait(false);
                await world.SeedAsync(institutions, vouchers, vouchers, init.CancellationToken).ConfigureAwait(false);
                held = await world.ClaimAllAsync(0, vouchers, init.CancellationToken).ConfigureAwait(false);
            })
            .WithClean(clean => CheckAsync(world, clean, vouchers, async (statistics, broken) =>
            {
                var activated = statistics.GetProperty("activated").GetInt64();
                var claimed = statistics.GetProperty("claimed").GetInt64();
                if (repeated > 0)
                {
                    broken.Add($"{repeated} vouchers were activated twice");
                }

                if (activated != activatedAt.Count)
                {
                    broken.Add($"the statistics say {activated} activated; the scenario saw {activatedAt.Count} vouchers activated");
                }

                if (claimed != vouchers)
                {
                    broken.Add($"the statistics say {claimed} claimed; {vouchers} were seeded");
                }

                await ActivatedOnceAsync(world!, held, world!.Citizen, activatedAt, institutions, broken).ConfigureAwait(false);
                return $"activated {activated}, the scenario saw {activatedAt.Count}, claimed {claimed}";
            }));
    }

    /// <summary><c>check-in</c>: each invocation is the next enrolled trainee checking in to session 0 with the institution's code.</summary>
    private static Scenario CheckIn(ScenarioFactoryContext context)
    {
        var trainees = IntSetting(context, "trainees", Invocations(context, 50, context.Settings.Duration));
        var institutions = Math.Max(1, IntSetting(context, "institutions", 8));
        DomainWorld? world = null;
        CheckInCodes? codes = null;
        var next = -1;
        var checkedIn = new ConcurrentDictionary<int, byte>();
        return Scenario.Create(context.Name, async scenario =>
            {
                var n = Interlocked.Increment(ref next);
                if (n >= trainees)
                {
                    return Response.Fail($"all {trainees} seeded trainees have checked in; raise --setting trainees=N");
                }

                var institution = world!.Institution(n % institutions);
                var token = await codes!.ForAsync(institution, scenario.TimeProvider, scenario.CancellationToken).ConfigureAwait(false);
                var response = await world.CheckInAsync(institution, n, token, scenario.CancellationToken).ConfigureAwait(false);
                if (response.IsOk)
                {
                    checkedIn.TryAdd(n, 0);
                }

                return response;
            })
            .WithDescription($"POST /api/v1/institutions/…/classes/{DomainWorld.CheckInClass}/check-ins with a scanned code, {trainees:N0} seeded trainees at {institutions} institutions")
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await StartAsync(context, init).ConfigureAwait(false);
                await world.SeedAsync(institutions, trainees, trainees, init.CancellationToken).ConfigureAwait(false);
                var held = await world.ClaimAllAsync(0, trainees, init.CancellationToken).ConfigureAwait(false);
                await world.VerifyAllAsync(0, held, institutions, DomainWorld.CheckInClass, init.CancellationToken).ConfigureAwait(false);
                codes = new CheckInCodes(world);
            })
            .WithClean(clean => CheckAsync(world, clean, trainees, async (statistics, broken) =>
            {
                if (statistics.GetProperty("activated").GetInt64() != trainees)
                {
                    broken.Add($"the statistics say {statistics.GetProperty("activated").GetInt64()} activated; {trainees} trainees were enrolled");
                }

                await AttendedOnceAsync(world!, 0, trainees, institutions, checkedIn, broken).ConfigureAwait(false);
                return $"{checkedIn.Count} of {trainees} trainees checked in, each attendance recorded once";
            }));
    }

    /// <summary><c>issue</c>: each invocation uploads a roster of <c>rows</c> new workers to the general campaign and waits for its job to finish.</summary>
    private static Scenario Issue(ScenarioFactoryContext context)
    {
        var rows = Math.Max(1, IntSetting(context, "rows", 100));
        var jobs = Invocations(context, 1, context.Settings.Duration);

        // Three quarters of the rows the load plans to upload (not of the ten spare jobs), so the campaign sells out.
        var stock = IntSetting(context, "stock", Math.Max(1, rows * PlannedInvocations(context, 1, context.Settings.Duration) * 3 / 4));
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, IntSetting(context, "poll-ms", 100)));
        DomainWorld? world = null;
        var next = -1;
        var finished = new ConcurrentDictionary<string, (long Issued, long Rejected)>(StringComparer.Ordinal);
        return Scenario.Create(context.Name, async scenario =>
            {
                var job = Interlocked.Increment(ref next);
                if (job >= jobs)
                {
                    return Response.Fail($"the {jobs} planned uploads are done; the run's load plans fewer");
                }

                string? jobId = null;
                var uploaded = await scenario.Step("upload", async () =>
                {
                    var (response, id) = await world!.UploadAsync(job * rows, rows, scenario.CancellationToken).ConfigureAwait(false);
                    jobId = id;
                    return response;
                }).ConfigureAwait(false);
                if (jobId is null)
                {
                    return uploaded;
                }

                return await scenario.Step("job", async () =>
                {
                    while (true)
                    {
                        var view = await world!.JobAsync(jobId, scenario.CancellationToken).ConfigureAwait(false);
                        switch (view.GetProperty("status").GetString())
                        {
                            case "completed":
                                var issued = view.GetProperty("issued").GetInt64();
                                var rejected = view.GetProperty("rejected").GetInt64();
                                finished[jobId] = (issued, rejected);
                                return issued + rejected == rows
                                    ? Response.Ok("200", uploaded.SizeBytes)
                                    : Response.Fail($"a job of {rows} rows completed with issued + rejected = {issued + rejected}", "200");
                            case "failed" or "cancelled":
                                return Response.Fail($"a job ended {view.GetProperty("status").GetString()}", "200");
                            default:
                                await scenario.DelayAsync(poll).ConfigureAwait(false);
                                break;
                        }
                    }
                }).ConfigureAwait(false);
            })
            .WithDescription($"POST /api/v1/campaigns/…/uploads of {rows:N0} rows, then GET /api/v1/jobs/… until done; stock {stock:N0}")
            .WithLoadSimulations(Simulation.Inject(1, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await StartAsync(context, init).ConfigureAwait(false);
                await world.SeedAsync(institutions: 1, stock, workers: 0, init.CancellationToken).ConfigureAwait(false);
            })
            .WithClean(clean => CheckAsync(world, clean, Math.Min(jobs, next + 1) * rows, async (statistics, broken) =>
            {
                long issued = 0;
                long rejected = 0;
                foreach (var (jobId, counted) in finished)
                {
                    var view = await world!.JobAsync(jobId, CancellationToken.None).ConfigureAwait(false);
                    var rowsRead = view.GetProperty("rowsRead").GetInt64();
                    var (jobIssued, jobRejected) = (view.GetProperty("issued").GetInt64(), view.GetProperty("rejected").GetInt64());
                    if (rowsRead != rows || jobIssued + jobRejected != rows || (jobIssued, jobRejected) != counted)
                    {
                        broken.Add($"job {jobId}: {rowsRead} rows read, {jobIssued} issued + {jobRejected} rejected (it finished with {counted.Issued} + {counted.Rejected}) of {rows}");
                    }

                    issued += jobIssued;
                    rejected += jobRejected;
                }

                var claimed = statistics.GetProperty("claimed").GetInt64();
                if (claimed != issued)
                {
                    broken.Add($"the statistics say {claimed} claimed; the finished jobs issued {issued}");
                }

                var offered = (long)finished.Count * rows;
                if (issued != Math.Min(stock, offered) && finished.Count == next + 1)
                {
                    broken.Add($"{finished.Count} jobs of {rows} distinct eligible workers issued {issued} from a stock of {stock} (expected {Math.Min(stock, offered)})");
                }

                return $"{finished.Count} jobs, {issued} issued + {rejected} rejected of {offered} rows, stock {stock}";
            }));
    }

    /// <summary>
    /// <c>enrolment-day</c>: in one programme, at once, new workers claim, desks scan and verify claimed
    /// vouchers, and enrolled trainees check in — by weight, in a fixed cycle — with the invariants of each.
    /// </summary>
    private static Scenario EnrolmentDay(ScenarioFactoryContext context) =>
        EnrolmentDay(context, Invocations(context, 50, context.Settings.Duration));

    private static Scenario EnrolmentDay(ScenarioFactoryContext context, int invocations)
    {
        var weights = new (string Step, int Weight)[]
        {
            ("claim", IntSetting(context, "claim", 4)),
            ("check", IntSetting(context, "check", 3)),
            ("activate", IntSetting(context, "activate", 2)),
            ("check-in", IntSetting(context, "check-in", 1)),
        };
        var cycle = weights.SelectMany(w => Enumerable.Repeat(w.Step, w.Weight)).ToArray();
        if (cycle.Length == 0)
        {
            throw new ScenarioSetupException($"Scenario '{context.Name}': give at least one of the weights claim, check, activate, check-in above 0.");
        }

        var institutions = Math.Max(2, IntSetting(context, "institutions", 8));
        int Share(string step) => (int)Math.Ceiling((double)invocations * cycle.Count(s => s == step) / cycle.Length) + 10;
        var claimers = Share("claim");
        var desk = Share("activate");
        var trainees = Share("check-in");
        var (claimFrom, deskFrom, traineeFrom) = (0, claimers, claimers + desk);
        var workers = claimers + desk + trainees;

        // The stock covers the desk's and the trainees' vouchers and three quarters of the new claims, so the campaign sells out.
        var stock = desk + trainees + (claimers * 3 / 4);
        DomainWorld? world = null;
        CheckInCodes? codes = null;
        var held = Array.Empty<string>();
        var (nextClaim, nextActivation, nextTrainee) = (-1, -1, -1);
        var claimed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var activatedAt = new ConcurrentDictionary<int, string>();
        var checkedIn = new ConcurrentDictionary<int, byte>();
        var repeated = 0;
        return Scenario.Create(context.Name, async scenario =>
            {
                var step = cycle[scenario.InvocationNumber % cycle.Length];
                return await scenario.Step(step, async () =>
                {
                    switch (step)
                    {
                        case "claim":
                            var worker = Interlocked.Increment(ref nextClaim);
                            return worker >= claimers
                                ? Response.Fail($"all {claimers} seeded claimers have claimed")
                                : await world!.ClaimAsync(claimFrom + worker, code => claimed.TryAdd(code, 0), scenario.CancellationToken).ConfigureAwait(false);
                        case "check":
                            // A scan of a desk voucher: verifiable while claimed, already-used once activated.
                            var scanned = (int)(scenario.InvocationNumber % held.Length);
                            var (response, verifiable, reason) = await world!.CheckAsync(world.Institution(scanned % institutions), held[scanned], world.Citizen(deskFrom + scanned), scenario.CancellationToken).ConfigureAwait(false);
                            return response.IsError || verifiable || reason == "already-used"
                                ? response
                                : Response.Fail($"a desk voucher checked as not verifiable: {reason}", response.StatusCode, response.SizeBytes);
                        case "activate":
                            var n = Interlocked.Increment(ref nextActivation);
                            if (n >= held.Length)
                            {
                                return Response.Fail($"all {held.Length} desk vouchers are activated");
                            }

                            var institution = world!.Institution(n % institutions);
                            var verified = await world.VerifyAsync(institution, held[n], world.Citizen(deskFrom + n), DomainWorld.EnrolmentClass, scenario.CancellationToken).ConfigureAwait(false);
                            if (verified.IsOk && !activatedAt.TryAdd(n, institution))
                            {
                                Interlocked.Increment(ref repeated);
                            }

                            return verified;
                        default:
                            var trainee = Interlocked.Increment(ref nextTrainee);
                            if (trainee >= trainees)
                            {
                                return Response.Fail($"all {trainees} seeded trainees have checked in");
                            }

                            var at = world!.Institution(trainee % institutions);
                            var checkIn = await world.CheckInAsync(at, traineeFrom + trainee, await codes!.ForAsync(at, scenario.TimeProvider, scenario.CancellationToken).ConfigureAwait(false), scenario.CancellationToken).ConfigureAwait(false);
                            if (checkIn.IsOk)
                            {
                                checkedIn.TryAdd(trainee, 0);
                            }

                            return checkIn;
                    }
                }).ConfigureAwait(false);
            })
            .WithDescription($"claims, voucher checks, verifications and check-ins in the ratio {string.Join(':', weights.Select(w => w.Weight))} at {institutions} institutions; stock {stock:N0}")
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await StartAsync(context, init).ConfigureAwait(false);
                await world.SeedAsync(institutions, stock, workers, init.CancellationToken).ConfigureAwait(false);
                held = await world.ClaimAllAsync(deskFrom, desk, init.CancellationToken).ConfigureAwait(false);
                var enrolled = await world.ClaimAllAsync(traineeFrom, trainees, init.CancellationToken).ConfigureAwait(false);
                await world.VerifyAllAsync(traineeFrom, enrolled, institutions, DomainWorld.CheckInClass, init.CancellationToken).ConfigureAwait(false);
                codes = new CheckInCodes(world);
            })
            .WithClean(clean => CheckAsync(world, clean, workers, async (statistics, broken) =>
            {
                var claimedNow = statistics.GetProperty("claimed").GetInt64();
                var activated = statistics.GetProperty("activated").GetInt64();
                if (claimedNow != desk + trainees + claimed.Count)
                {
                    broken.Add($"the statistics say {claimedNow} claimed; {desk + trainees} were seeded and the scenario saw {claimed.Count} more");
                }

                if (repeated > 0)
                {
                    broken.Add($"{repeated} vouchers were activated twice");
                }

                if (activated != trainees + activatedAt.Count)
                {
                    broken.Add($"the statistics say {activated} activated; {trainees} trainees were enrolled and the scenario saw {activatedAt.Count} more");
                }

                await ActivatedOnceAsync(world!, held, n => world!.Citizen(deskFrom + n), activatedAt, institutions, broken).ConfigureAwait(false);
                await AttendedOnceAsync(world!, traineeFrom, trainees, institutions, checkedIn, broken).ConfigureAwait(false);
                return $"claimed {claimedNow} of {stock} (the scenario saw {claimed.Count}), activated {activated} ({activatedAt.Count} by the scenario), {checkedIn.Count} check-ins";
            }));
    }

    private static async Task<DomainWorld> StartAsync(ScenarioFactoryContext context, ScenarioInitContext init) =>
        await DomainWorld.StartAsync(context.Http, context.Settings.TargetUrl, context.Settings.Engine, init.CancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The clean hook of every domain scenario: the common invariants for <paramref name="workers"/> workers,
    /// then the scenario's own; throws <see cref="InvariantBrokenException"/> when any is broken. Stops the
    /// engine the scenario started. After a failed init it only stops the engine.
    /// </summary>
    private static async Task CheckAsync(DomainWorld? world, ScenarioInitContext clean, int workers, Func<JsonElement, List<string>, Task<string>> own)
    {
        if (world is null)
        {
            return;
        }

        await using (world.ConfigureAwait(false))
        {
            if (!clean.InitCompleted)
            {
                // Seeding failed, so there was no load and nothing to check: only stop the engine.
                return;
            }

            var broken = new List<string>();
            var statistics = await world.CheckInvariantsAsync(workers, broken, CancellationToken.None).ConfigureAwait(false);
            var summary = await own(statistics, broken).ConfigureAwait(false);
            if (broken.Count > 0)
            {
                // The runner puts the scenario's name before it, as before every check after the run.
                throw new InvariantBrokenException($"invariants broken: {string.Join("; ", broken)}");
            }

            var held = $"invariants hold ({summary}; stock, budget, yearly limits, one live voucher, statistics = recount)";
            clean.Logger.LogInformation("{Held}", held);
            clean.CheckHeld(held);
        }
    }

    /// <summary>Each voucher the scenario activated reads as activated at that institution; the others are still claimed; the first cannot be verified again elsewhere.</summary>
    private static async Task ActivatedOnceAsync(DomainWorld world, string[] held, Func<int, string> holder, ConcurrentDictionary<int, string> activatedAt, int institutions, List<string> broken)
    {
        var wrong = new ConcurrentQueue<string>();
        await Parallel.ForAsync(0, held.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, token) =>
        {
            var voucher = await world.VoucherAsync(held[n], token).ConfigureAwait(false);
            var status = voucher.GetProperty("status").GetString();
            var institution = voucher.TryGetProperty("institutionId", out var at) ? at.GetString() : null;
            var expected = activatedAt.TryGetValue(n, out var where) ? ("activated", where) : ("claimed", null);
            if (status != expected.Item1 || (where is not null && institution != where))
            {
                wrong.Enqueue($"voucher {held[n]} is {status} at {institution ?? "no institution"}; the scenario expected {expected.Item1}{(where is null ? string.Empty : " at " + where)}");
            }
        }).ConfigureAwait(false);
        broken.AddRange(wrong.Take(10));
        if (wrong.Count > 10)
        {
            broken.Add($"… and {wrong.Count - 10} more vouchers not as the scenario left them");
        }

        if (activatedAt.TryGetValue(0, out var first))
        {
            var other = world.Institution(1 % institutions) == first ? world.Institution(0) : world.Institution(1 % institutions);
            var again = await world.VerifyAsync(other, held[0], holder(0), DomainWorld.EnrolmentClass, waitOutRateLimits: true, CancellationToken.None).ConfigureAwait(false);
            if (again.StatusCode != "409")
            {
                broken.Add($"a voucher activated at {first} was verified again at {other}: {again.StatusCode}");
            }
        }
    }

    /// <summary>How many of <paramref name="codes"/> <paramref name="test"/> holds for, 8 at a time.</summary>
    private static async Task<int> CountAsync(string[] codes, Func<string, CancellationToken, Task<bool>> test)
    {
        var count = 0;
        await Parallel.ForAsync(0, codes.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, token) =>
        {
            if (await test(codes[n], token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref count);
            }
        }).ConfigureAwait(false);
        return count;
    }

    /// <summary>Each trainee who got a 201 has session 0 attended once; the others have nothing attended.</summary>
    private static async Task AttendedOnceAsync(DomainWorld world, int from, int trainees, int institutions, ConcurrentDictionary<int, byte> checkedIn, List<string> broken)
    {
        var wrong = new ConcurrentQueue<string>();
        await Parallel.ForAsync(0, trainees, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, token) =>
        {
            var attended = await world.AttendedAsync(world.Institution(n % institutions), from + n, token).ConfigureAwait(false);
            var expected = checkedIn.ContainsKey(n) ? "[0]" : "[]";
            var actual = "[" + string.Join(',', attended) + "]";
            if (actual != expected)
            {
                wrong.Enqueue($"trainee {world.Citizen(from + n)} attended {actual}; the scenario expected {expected}");
            }
        }).ConfigureAwait(false);
        broken.AddRange(wrong.Take(10));
        if (wrong.Count > 10)
        {
            broken.Add($"… and {wrong.Count - 10} more attendances not as the scenario left them");
        }
    }

    /// <summary>Check-in codes per institution for session 0, fetched once and renewed 5 minutes before their 15 minutes run out.</summary>
    private sealed class CheckInCodes(DomainWorld world)
    {
        private static readonly TimeSpan s_renewAfter = TimeSpan.FromMinutes(10);
        private readonly ConcurrentDictionary<string, Lazy<Task<(string Token, DateTimeOffset IssuedAt)>>> _codes = new(StringComparer.Ordinal);

        public async Task<string> ForAsync(string institution, TimeProvider time, CancellationToken cancellationToken)
        {
            while (true)
            {
                var entry = _codes.GetOrAdd(institution, id => new(async () => (await world.CheckInTokenAsync(id, CancellationToken.None).ConfigureAwait(false), time.GetUtcNow())));
                var (token, issuedAt) = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (time.GetUtcNow() - issuedAt < s_renewAfter)
                {
                    return token;
                }

                _codes.TryRemove(new(institution, entry));
            }
        }
    }
}

/// <summary>An invariant checked after a run did not hold; the run fails.</summary>
public sealed class InvariantBrokenException(string message) : ScenarioFailureException(message);
