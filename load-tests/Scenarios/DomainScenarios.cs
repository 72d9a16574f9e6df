using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using OrleansVoucher.LoadTests.Runner;

namespace OrleansVoucher.LoadTests.Scenarios;

/// <summary>
/// The programme's own scenarios, through the HTTP API (docs/load-testing.md, "Domain scenarios"):
/// <c>claim-storm</c>, <c>verify</c> and <c>smoke</c>. Each seeds its programme in its init hook and, in
/// its clean hook, checks the engine's invariants through the API; a broken invariant fails the run.
/// </summary>
public sealed class DomainScenarios : IScenarioCatalog
{
    public void Register(ScenarioRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry
            .Add("claim-storm", "workers claim one general campaign with limited stock (settings: stock, workers); checks nothing is oversold", ClaimStorm)
            .Add("verify", "institutions verify (and so activate) claimed vouchers (settings: vouchers, institutions); checks each is activated once", Verify)
            .Add("smoke", "a few seconds of claim-storm at a low rate, no warm-up; fails on any error or broken invariant", Smoke);
    }

    private static int IntSetting(ScenarioFactoryContext context, string name, int fallback) =>
        context.Setting(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static Scenario Smoke(ScenarioFactoryContext context)
    {
        var smoke = ClaimStorm(context, stock: 20, workers: Invocations(context, 10, TimeSpan.FromSeconds(4)));
        return smoke with
        {
            Description = "smoke: " + smoke.Description,
            WarmUpDuration = TimeSpan.Zero,
            LoadSimulations = [Simulation.Inject(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4))],
            Thresholds = [Threshold.Parse("fail_count<=0")],
        };
    }

    private static Scenario ClaimStorm(ScenarioFactoryContext context) =>
        ClaimStorm(context, IntSetting(context, "stock", 100), IntSetting(context, "workers", Invocations(context, 100, context.Settings.Duration)));

    /// <summary>How many invocations the run will make at most (warm-up included), so the seeding creates enough workers or vouchers.</summary>
    private static int Invocations(ScenarioFactoryContext context, double defaultRate, TimeSpan defaultDuration)
    {
        var settings = context.Settings;
        if (settings.Iterations is { } iterations)
        {
            return (int)iterations + 10;
        }

        var seconds = (settings.Rate is null ? defaultDuration : settings.Duration) + settings.WarmUp + (settings.RampUp ?? TimeSpan.Zero);
        return (int)Math.Ceiling((settings.Rate ?? defaultRate) * seconds.TotalSeconds) + 10;
    }

    private static Scenario ClaimStorm(ScenarioFactoryContext context, int stock, int workers)
    {
        DomainWorld? world = null;
        var next = -1;
        var codes = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var target = context.Settings.TargetUrl;
        var http = context.Http;
        return Scenario.Create(context.Name, async scenario =>
            {
                var worker = Interlocked.Increment(ref next);
                if (worker >= workers)
                {
                    return Response.Fail($"all {workers} seeded workers have claimed; raise --setting workers=N");
                }

                return await world!.ClaimAsync(worker, code => codes.TryAdd(code, 0), scenario.CancellationToken).ConfigureAwait(false);
            })
            .WithDescription($"POST /api/v1/campaigns/…/claims, {workers:N0} workers, stock {stock:N0}")
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await DomainWorld.StartAsync(http, target, init.CancellationToken).ConfigureAwait(false);
                await world.SeedAsync(institutions: 1, stock, workers, init.CancellationToken).ConfigureAwait(false);
            })
            .WithClean(async clean =>
            {
                if (world is null)
                {
                    return;
                }

                await using (world.ConfigureAwait(false))
                {
                    var statistics = await world.StatisticsAsync(CancellationToken.None).ConfigureAwait(false);
                    var claimed = statistics.GetProperty("claimed").GetInt64();
                    var broken = new List<string>();
                    if (claimed > stock)
                    {
                        broken.Add($"oversold: {claimed} vouchers claimed from a stock of {stock}");
                    }

                    if (claimed != codes.Count)
                    {
                        broken.Add($"the statistics say {claimed} claimed; the scenario saw {codes.Count} distinct vouchers issued");
                    }

                    Report(clean, broken, $"claimed {claimed} of {stock}; the scenario saw {codes.Count}");
                }
            });
    }

    private static Scenario Verify(ScenarioFactoryContext context)
    {
        var vouchers = IntSetting(context, "vouchers", Invocations(context, 50, context.Settings.Duration));
        var institutions = IntSetting(context, "institutions", 8);
        DomainWorld? world = null;
        var held = Array.Empty<string>();
        var next = -1;
        var verified = 0;
        var target = context.Settings.TargetUrl;
        var http = context.Http;
        return Scenario.Create(context.Name, async scenario =>
            {
                var n = Interlocked.Increment(ref next);
                if (n >= held.Length)
                {
                    return Response.Fail($"all {held.Length} seeded vouchers are verified; raise --setting vouchers=N");
                }

                var institution = world!.Institution(n % institutions);
                using var response = await world.SendAsync(
                    HttpMethod.Post,
                    $"/api/v1/institutions/{institution}/verifications",
                    world.Token("institution", institution),
                    new { voucherCode = held[n], presenterCitizenId = world.Citizen(n), classCode = "LOAD-1" },
                    scenario.CancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(scenario.CancellationToken).ConfigureAwait(false);
                var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    return Response.Fail($"verification answered {status}: {text}", status, text.Length);
                }

                Interlocked.Increment(ref verified);
                return Response.Ok(status, text.Length);
            })
            .WithDescription($"POST /api/v1/institutions/…/verifications, {vouchers:N0} claimed vouchers at {institutions} institutions")
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), context.Settings.Duration))
            .WithInit(async init =>
            {
                world = await DomainWorld.StartAsync(http, target, init.CancellationToken).ConfigureAwait(false);
                await world.SeedAsync(institutions, vouchers, vouchers, init.CancellationToken).ConfigureAwait(false);
                var codes = new string[vouchers];
                await Parallel.ForAsync(0, vouchers, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = init.CancellationToken }, async (n, token) =>
                {
                    var response = await world.ClaimAsync(n, code => codes[n] = code, token).ConfigureAwait(false);
                    if (codes[n] is null)
                    {
                        throw new InvalidOperationException($"Seeding: worker {n} could not claim: {response}");
                    }
                }).ConfigureAwait(false);
                held = codes;
            })
            .WithClean(async clean =>
            {
                if (world is null)
                {
                    return;
                }

                await using (world.ConfigureAwait(false))
                {
                    var statistics = await world.StatisticsAsync(CancellationToken.None).ConfigureAwait(false);
                    var activated = statistics.GetProperty("activated").GetInt64();
                    var claimed = statistics.GetProperty("claimed").GetInt64();
                    var broken = new List<string>();
                    if (activated != verified)
                    {
                        broken.Add($"the statistics say {activated} activated; the scenario saw {verified} verifications");
                    }

                    if (claimed != vouchers)
                    {
                        broken.Add($"the statistics say {claimed} claimed; {vouchers} were seeded");
                    }

                    // A voucher verified once cannot be verified again at another institution.
                    if (verified > 0 && institutions > 1)
                    {
                        var other = world.Institution(1);
                        using var again = await world.SendAsync(
                            HttpMethod.Post,
                            $"/api/v1/institutions/{other}/verifications",
                            world.Token("institution", other),
                            new { voucherCode = held[0], presenterCitizenId = world.Citizen(0), classCode = "LOAD-1" },
                            CancellationToken.None).ConfigureAwait(false);
                        if (again.StatusCode != HttpStatusCode.Conflict)
                        {
                            broken.Add($"a voucher already verified at {world.Institution(0)} was verified again at {other}: {(int)again.StatusCode}");
                        }
                    }

                    Report(clean, broken, $"activated {activated}, verified {verified}, claimed {claimed}");
                }
            });
    }

    private static void Report(ScenarioInitContext clean, List<string> broken, string summary)
    {
        if (broken.Count > 0)
        {
            throw new InvariantBrokenException($"{clean.ScenarioName}: invariants broken: {string.Join("; ", broken)}");
        }

        Console.Error.WriteLine($"{clean.ScenarioName}: invariants hold ({summary})");
    }
}

/// <summary>An invariant checked after a run did not hold; the run fails.</summary>
public sealed class InvariantBrokenException(string message) : Exception(message);

