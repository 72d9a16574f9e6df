using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansVoucher.LoadTests.Benchmarks.BulkIssue;
using OrleansVoucher.LoadTests.Benchmarks.Http;
using OrleansVoucher.LoadTests.Benchmarks.Runtime;
using OrleansVoucher.LoadTests.Cli;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Reporting;
using OrleansVoucher.LoadTests.Runner;
using OrleansVoucher.LoadTests.Scenarios;
using OrleansVoucher.Testing;

namespace OrleansVoucher.LoadTests.Benchmarks;

/// <summary>
/// <c>bench http</c>: the engine's HTTP hot paths with 64 connections (closed model) against its own
/// <c>GET /health/live</c> measured the same way in the same run — the read-only voucher check, the
/// durable verify-and-activate, and a claim storm on a general campaign with limited stock, after which
/// the campaign's statistics must show nothing oversold. The engine runs as a child process on
/// PostgreSQL, so the client's, the engine's and the database's CPU are each reported per request.
/// </summary>
internal static class HttpBenchmark
{
    public const string Name = "http";

    public const string Description = "health, an authenticated no-grain request, voucher check, verify-and-activate and a claim storm over HTTP, 64 connections; ratios to /health/live";

    public static readonly IReadOnlyList<OptionDefinition> Options =
    [
        new("connections", "N", "concurrent connections, each one request at a time (default 64)"),
        new("duration", "seconds", "measured window of each phase (default 10)"),
        new("warmup", "seconds", "unmeasured warm-up before each window (default 10)"),
        new("institutions", "N", "institutions the checks and activations are spread over (default 64)"),
        new("stock", "N", "the claim storm campaign's stock (default 1000)"),
        new("issuers", "N", "the campaigns' issuer count, over which claims are spread (default 16)"),
        new("phases", "list", "which phases to run, comma-separated: health,me,verify,activate,claim (default all)"),
        new("engine", "key=value,…", "further engine settings, e.g. environment=Development (default: Production, the development signing key)"),
        new("pg", "connection string", "PostgreSQL to use (its database's schema orleans_voucher is dropped); default: a throwaway server"),
    ];

    private const string Schema = "orleans_voucher";

    public static async Task<int> RunAsync(CommandOptions options, CancellationToken cancellationToken)
    {
        var settings = new HttpBenchSettings(
            options.GetInt32("connections", 64, 1),
            TimeSpan.FromSeconds(options.GetDouble("duration", 10, 0.1)),
            TimeSpan.FromSeconds(options.GetDouble("warmup", 10, 0)),
            options.GetInt32("institutions", 64, 1),
            options.GetInt32("stock", 1000, 1),
            options.GetInt32("issuers", 16, 1),
            ParsePhases(options.GetString("phases")));
        var engineSettings = ParseEngineSettings(options.GetString("engine"));
        var pg = options.GetString("pg");
        if (pg is not null)
        {
            return await RunOnAsync(pg, null, "--pg").ConfigureAwait(false);
        }

        Progress.Note("http: starting a throwaway PostgreSQL server");
        var throwaway = new PostgresServer(new PostgresServerOptions { SharedBuffers = "256MB" });
        await using (throwaway.ConfigureAwait(false))
        {
            await throwaway.StartAsync(cancellationToken).ConfigureAwait(false);
            var connectionString = await throwaway.CreateDatabaseAsync("bench_http", cancellationToken).ConfigureAwait(false);
            return await RunOnAsync(connectionString, ServerProcessorTime.ForDataDirectory(throwaway.DataDirectory), "throwaway server").ConfigureAwait(false);
        }

        async Task<int> RunOnAsync(string connectionString, ServerProcessorTime? database, string origin)
        {
            var description = await WriteThroughput.DescribeServerAsync(connectionString, cancellationToken).ConfigureAwait(false);
            Progress.Note($"http: {description}");
            await BenchDatabase.ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS {Schema} CASCADE", cancellationToken).ConfigureAwait(false);
            var engineConfiguration = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["Silo:Storage:Provider"] = "PostgreSql",
                ["ConnectionStrings:PostgreSql"] = connectionString,
                // The buckets stay in the pipeline, sized so that a benchmark's callers never meet them.
                ["Api:RateLimiting:PerCaller:TokenLimit"] = "100000000",
                ["Api:RateLimiting:PerCaller:TokensPerPeriod"] = "100000000",
                ["Api:RateLimiting:Verification:TokenLimit"] = "100000000",
                ["Api:RateLimiting:Verification:TokensPerPeriod"] = "100000000",
            };
            // As deployed: the Production environment (no developer exception page on every request),
            // trusting the development signing key the benchmark's tokens are signed with.
            engineConfiguration["environment"] = "Production";
            var signingKey = DevelopmentSigningKey();
            engineConfiguration["Auth:SigningKeys:0:KeyId"] = signingKey.KeyId;
            engineConfiguration["Auth:SigningKeys:0:HmacSecret"] = signingKey.HmacSecret;
            foreach (var (key, value) in engineSettings)
            {
                engineConfiguration[key] = value;
            }

            Progress.Note($"http: starting the engine ({engineConfiguration["environment"]})");
            var engine = await EngineChild.StartAsync(engineConfiguration, cancellationToken).ConfigureAwait(false);
            await using (engine.ConfigureAwait(false))
            {
                using var http = LoadHttpClient.Create(settings.Connections, TimeSpan.FromSeconds(30));
                var world = await DomainWorld.StartAsync(http, engine.Address, new Hosting.EngineOptions(), cancellationToken).ConfigureAwait(false);
                await using (world.ConfigureAwait(false))
                {
                    var counters = new CpuCounters(engine, database);
                    var run = new HttpBenchRun(world, http, settings, counters);
                    var phases = await run.RunAsync(cancellationToken).ConfigureAwait(false);
                    HttpBenchReport.Write(Console.Out, settings, phases, run.Oversold, run.StormClaimed, description + " (" + origin + ")");
                    return 0;
                }
            }
        }
    }

    private static (string KeyId, string HmacSecret) DevelopmentSigningKey()
    {
        using var development = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(EngineChild.EngineDirectory, "appsettings.Development.json")));
        var key = development.RootElement.GetProperty("Auth").GetProperty("SigningKeys")[0];
        return (key.GetProperty("KeyId").GetString()!, key.GetProperty("HmacSecret").GetString()!);
    }

    private static HashSet<string> ParsePhases(string? text)
    {
        string[] known = ["health", "me", "verify", "activate", "claim"];
        if (text is null)
        {
            return [.. known];
        }

        var phases = new HashSet<string>(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
        if (phases.Count == 0 || phases.Any(p => !known.Contains(p)))
        {
            throw new OptionException($"--phases takes some of {string.Join(',', known)}; got '{text}'.");
        }

        return phases;
    }

    private static Dictionary<string, string> ParseEngineSettings(string? text)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new OptionException($"--engine takes key=value pairs separated by commas; got '{pair}'.");
            }

            settings[pair[..equals]] = pair[(equals + 1)..];
        }

        return settings;
    }
}

/// <summary>The options of one <c>bench http</c> run.</summary>
internal sealed record HttpBenchSettings(int Connections, TimeSpan Duration, TimeSpan WarmUp, int Institutions, int Stock, int Issuers, IReadOnlySet<string> Phases);

/// <summary>One measured phase: its window, and the CPU the client, the engine and the database spent in it.</summary>
internal sealed record HttpPhase(string Name, string What, HttpLoadResult Result, TimeSpan ClientCpu, TimeSpan? EngineCpu, TimeSpan? DatabaseCpu, string? Note);

/// <summary>Reads the three processes' CPU time at a window's start and end.</summary>
internal sealed class CpuCounters(EngineChild engine, ServerProcessorTime? database)
{
    private TimeSpan _client;
    private TimeSpan? _engine;
    private TimeSpan? _database;

    public (TimeSpan Client, TimeSpan? Engine, TimeSpan? Database) Spent { get; private set; }

    public void OnWindow(bool start)
    {
        var client = Process.GetCurrentProcess().TotalProcessorTime;
        var engineCpu = engine.ProcessorTime();
        var databaseCpu = database?.Read();
        if (start)
        {
            (_client, _engine, _database) = (client, engineCpu, databaseCpu);
        }
        else
        {
            Spent = (client - _client, engineCpu - _engine, databaseCpu - _database);
        }
    }
}

/// <summary>Seeds the programme through the API and runs the phases in order: health, me, verify, activate, claim, health again.</summary>
internal sealed class HttpBenchRun(DomainWorld world, HttpClient http, HttpBenchSettings settings, CpuCounters counters)
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };
    private readonly List<string?> _codes = [];
    private int _seededWorkers;

    public long? Oversold { get; private set; }

    public long? StormClaimed { get; private set; }

    private string StormCampaignId => world.CampaignId + "-storm";

    // The vouchers checked and activated come from a campaign of their own with the same issuers.
    private string MainCampaignId => world.CampaignId + "-main";

    public async Task<List<HttpPhase>> RunAsync(CancellationToken cancellationToken)
    {
        var phases = new List<HttpPhase>();
        var healthRate = 0.0;
        var health = new Uri(world.BaseAddress, "/health/live");
        if (settings.Phases.Contains("health"))
        {
            Progress.Note("http: health");
            var phase = await MeasureAsync("health", "GET /health/live", settings.WarmUp, _ => new HttpRequestMessage(HttpMethod.Get, health), Expect(200), null, cancellationToken).ConfigureAwait(false);
            healthRate = phase.Result.Rate;
            phases.Add(phase);
        }

        // The floor of every API request: bearer token, routing, rate limiting and a JSON answer, no grain.
        if (settings.Phases.Contains("me"))
        {
            Progress.Note("http: me (an authenticated request that calls no grain)");
            var me = new Uri(world.BaseAddress, "/api/v1/me");
            phases.Add(await MeasureAsync("me", "GET /api/v1/me with an institution's token, no grain", settings.WarmUp, n => Get(me, world.Token("institution", world.Institution((int)(n % settings.Institutions)))), Expect(200), null, cancellationToken).ConfigureAwait(false));
        }

        if (!settings.Phases.Overlaps(["verify", "activate", "claim"]))
        {
            return phases;
        }

        Progress.Note($"http: seeding the programme: {settings.Institutions} institutions, campaigns, workers");
        await world.SeedAsync(settings.Institutions, stock: 1, workers: 0, cancellationToken).ConfigureAwait(false);
        await CreateCampaignAsync(MainCampaignId, 10_000_000, cancellationToken).ConfigureAwait(false);
        await CreateCampaignAsync(StormCampaignId, settings.Stock, cancellationToken).ConfigureAwait(false);

        // Vouchers claimed through the API for the checks and activations; the claims also warm the claim path.
        var seedRate = await ClaimVouchersAsync(Math.Max(2_000, settings.Connections * 40), cancellationToken).ConfigureAwait(false);
        if (settings.Phases.Contains("verify"))
        {
            phases.Add(await VerifyAsync(cancellationToken).ConfigureAwait(false));
        }

        var activateRate = 0.0;
        if (settings.Phases.Contains("activate"))
        {
            var phase = await ActivateAsync(cancellationToken).ConfigureAwait(false);
            activateRate = phase.Result.Rate;
            phases.Add(phase);
        }

        if (settings.Phases.Contains("claim"))
        {
            phases.Add(await ClaimStormAsync(Math.Max(Math.Max(seedRate, activateRate) * 2.5, healthRate * 1.5), cancellationToken).ConfigureAwait(false));
        }

        // The baseline again at the end: on a shared machine the load moves between phases, and the
        // ratios are taken to the higher of the two, so a slow moment cannot flatter them.
        if (settings.Phases.Contains("health"))
        {
            Progress.Note("http: health again");
            phases.Add(await MeasureAsync("health again", "GET /health/live, after the other phases", settings.WarmUp, _ => new HttpRequestMessage(HttpMethod.Get, health), Expect(200), null, cancellationToken).ConfigureAwait(false));
        }

        return phases;
    }

    private async Task<HttpPhase> VerifyAsync(CancellationToken cancellationToken)
    {
        var codes = _codes.ToArray();
        var count = codes.Length;
        using (var probe = VoucherCheck(0, codes[0]!))
        using (var answer = await http.SendAsync(probe, cancellationToken).ConfigureAwait(false))
        {
            if ((int)answer.StatusCode is 404 or 405)
            {
                Progress.Note("http: verify skipped: the engine has no voucher-check endpoint");
                return new HttpPhase("verify", "POST /api/v1/institutions/…/voucher-checks", EmptyResult(), TimeSpan.Zero, null, null, "skipped: no voucher-check endpoint");
            }
        }

        Progress.Note($"http: verify (read-only checks of {count:N0} claimed vouchers, in turn)");
        return await MeasureAsync(
            "verify",
            "POST /api/v1/institutions/…/voucher-checks",
            settings.WarmUp,
            n => VoucherCheck((int)(n % count), codes[n % count]!),
            static (status, body) => status != 200 ? null : body.IndexOf("\"verifiable\":true"u8) >= 0 ? "verifiable" : "refused",
            null,
            cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage VoucherCheck(int n, string code)
    {
        var institution = world.Institution(n % settings.Institutions);
        return Post($"/api/v1/institutions/{institution}/voucher-checks", world.Token("institution", institution), $$"""{"voucherCode":"{{code}}","presenterCitizenId":"{{world.Citizen(n)}}","classCode":"LOAD-1"}""");
    }

    private async Task<HttpPhase> ActivateAsync(CancellationToken cancellationToken)
    {
        // Each activation takes a voucher of its own: the warm-up spends the ones claimed so far, and
        // the window gets as many fresh ones as twice the warm-up's rate needs (the warm-up runs slower).
        var first = _codes.Count;
        var warmUpPool = Enumerable.Range(0, first).ToArray();
        Progress.Note($"http: activate warm-up ({warmUpPool.Length:N0} vouchers at most)");
        var warmUp = await HttpLoad.RunAsync(http, settings.Connections, TimeSpan.Zero, settings.WarmUp, n => n < warmUpPool.Length ? Activation(warmUpPool[n]) : null, Activated, null, cancellationToken).ConfigureAwait(false);
        var needed = (int)Math.Min(2_000_000, Math.Ceiling(Math.Max(warmUp.Rate, 100) * settings.Duration.TotalSeconds * 2)) + settings.Connections;
        await ClaimVouchersAsync(needed, cancellationToken).ConfigureAwait(false);
        var pool = Enumerable.Range(first, _codes.Count - first).ToArray();
        Progress.Note($"http: activate ({pool.Length:N0} vouchers; warm-up ran at {warmUp.Rate:N0}/s)");
        return await MeasureAsync("activate", "POST /api/v1/institutions/…/verifications", TimeSpan.Zero, n => n < pool.Length ? Activation(pool[n]) : null, Activated, null, cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage Activation(int n)
    {
        var institution = world.Institution(n % settings.Institutions);
        return Post(
            $"/api/v1/institutions/{institution}/verifications",
            world.Token("institution", institution),
            $$"""{"voucherCode":"{{_codes[n]}}","presenterCitizenId":"{{world.Citizen(n)}}","classCode":"LOAD-1"}""");
    }

    private static string? Activated(int status, ReadOnlySpan<byte> body) => status == 201 ? "activated" : null;

    private async Task<HttpPhase> ClaimStormAsync(double rate, CancellationToken cancellationToken)
    {
        // Each claim by a worker of its own, none of whom holds a voucher: as many as the window can use
        // at that rate — well above the claims seen so far, and at least the health rate,
        // since a sold-out answer is much cheaper than a claim.
        // At most 100,000 a run (about a minute of registering): past that the window may end early.
        var workers = (int)Math.Min(100_000, Math.Ceiling(Math.Max(rate, 500) * settings.Duration.TotalSeconds)) + settings.Connections;
        var first = _seededWorkers;
        Progress.Note($"http: claim storm: registering {workers:N0} workers");
        await RegisterWorkersAsync(workers, cancellationToken).ConfigureAwait(false);
        var requests = new (string Citizen, string Token)[workers];
        for (var i = 0; i < workers; i++)
        {
            var citizen = world.Citizen(first + i);
            requests[i] = (citizen, world.Token("worker", citizen));
        }

        Progress.Note($"http: claim storm ({workers:N0} workers, stock {settings.Stock:N0})");
        var path = $"/api/v1/campaigns/{StormCampaignId}/claims";
        var phase = await MeasureAsync(
            "claim",
            "POST /api/v1/campaigns/…/claims",
            TimeSpan.Zero,
            n => n < requests.Length ? Post(path, requests[n].Token, $$"""{"citizenId":"{{requests[n].Citizen}}"}""") : null,
            static (status, body) => status == 201 ? "claimed" : status == 409 && body.IndexOf("exhausted"u8) >= 0 ? "sold out" : null,
            "no warm-up: the seeding's claims warmed this path",
            cancellationToken).ConfigureAwait(false);

        // Let the storm's last claims settle, then count what was issued.
        var statistics = await world.ExpectAsync(HttpMethod.Get, $"/api/v1/campaigns/{StormCampaignId}/statistics", world.Authority, null, cancellationToken).ConfigureAwait(false);
        // A general campaign counts its whole stock as issued when it opens; what workers took is "claimed".
        var claimed = statistics.GetProperty("claimed").GetInt64();
        StormClaimed = claimed;
        Oversold = Math.Max(0, claimed - settings.Stock);
        return phase;
    }

    private async Task<HttpPhase> MeasureAsync(string name, string what, TimeSpan warmUp, Func<long, HttpRequestMessage?> next, Func<int, ReadOnlySpan<byte>, string?> classify, string? note, CancellationToken cancellationToken)
    {
        var result = await HttpLoad.RunAsync(http, settings.Connections, warmUp, settings.Duration, next, classify, counters.OnWindow, cancellationToken).ConfigureAwait(false);
        var (client, engine, database) = counters.Spent;
        if (result.RanDry && result.Window < settings.Duration * 0.99)
        {
            note = (note is null ? "" : note + "; ") + $"ran out of requests after {result.Window.TotalSeconds:0.0} s";
        }

        return new HttpPhase(name, what, result, client, engine, database, note);
    }

    private static Func<int, ReadOnlySpan<byte>, string?> Expect(int expected) => (status, _) => status == expected ? "ok" : null;

    private static HttpLoadResult EmptyResult() =>
        new(TimeSpan.Zero, new LatencyHistogram(), new Dictionary<string, long>(), new Dictionary<int, long>(), ranDry: false, issued: 0);

    private static HttpRequestMessage Get(Uri address, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private HttpRequestMessage Post(string path, string token, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(world.BaseAddress, path))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) { Headers = { ContentType = s_json } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Registers <paramref name="count"/> more workers, numbered on from those registered so far.</summary>
    private async Task RegisterWorkersAsync(int count, CancellationToken cancellationToken)
    {
        var first = _seededWorkers;
        var authority = world.Authority;
        await Parallel.ForAsync(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = settings.Connections, CancellationToken = cancellationToken }, async (n, token) =>
        {
            var citizen = world.Citizen(n);
            await world.ExpectAsync(HttpMethod.Put, $"/api/v1/workers/{citizen}", authority, new
            {
                name = $"Worker {citizen[^4..]}",
                unemploymentInsurance = new[] { new { regionCode = DomainWorld.District, months = 40 } },
                categories = Array.Empty<string>(),
                householdRegion = DomainWorld.District,
            }, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        _seededWorkers = first + count;
    }

    /// <summary>Registers <paramref name="count"/> more workers and has each claim a voucher of the main campaign; returns the claims' rate.</summary>
    private async Task<double> ClaimVouchersAsync(int count, CancellationToken cancellationToken)
    {
        var first = _seededWorkers;
        Progress.Note($"http: seeding {count:N0} claimed vouchers");
        await RegisterWorkersAsync(count, cancellationToken).ConfigureAwait(false);
        var codes = new string?[count];
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = settings.Connections, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var citizen = world.Citizen(first + i);
            var receipt = await world.ExpectAsync(HttpMethod.Post, $"/api/v1/campaigns/{MainCampaignId}/claims", world.Token("worker", citizen), new { citizenId = citizen }, token).ConfigureAwait(false);
            codes[i] = receipt.GetProperty("voucherCode").GetString();
        }).ConfigureAwait(false);
        var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        // Worker n holds code n: the list is indexed like the workers.
        while (_codes.Count < first)
        {
            _codes.Add(null);
        }

        _codes.AddRange(codes);
        return rate;
    }

    private async Task CreateCampaignAsync(string id, int stock, CancellationToken cancellationToken)
    {
        var year = DomainWorld.Year;
        await world.ExpectAsync(HttpMethod.Put, $"/api/v1/campaigns/{id}", world.Authority, new
        {
            name = $"Bench {id}",
            regionCode = DomainWorld.Province,
            valueMode = "faceValue",
            issuanceMode = "general",
            tier = "basic",
            faceValueFen = DomainWorld.FaceValueFen,
            quantityCap = stock,
            budgetCapFen = stock * DomainWorld.FaceValueFen,
            claimOpensAt = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
            claimClosesAt = new DateTimeOffset(year + 1, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
            catalogueYear = year,
            occupationCode = DomainWorld.Occupation,
            issuerCount = settings.Issuers,
        }, cancellationToken).ConfigureAwait(false);
        await world.ExpectAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/open", world.Authority, null, cancellationToken).ConfigureAwait(false);
    }
}
