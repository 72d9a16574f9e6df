using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.LoadTests.Benchmarks.BulkIssue;
using OrleansVoucher.LoadTests.Runner;

namespace OrleansVoucher.LoadTests.Scenarios;

/// <summary>
/// The programme a domain scenario loads, set up through the real API with tokens signed by the
/// engine's development key: Fujian's policy and catalogue, listed institutions with a class each, an
/// open general campaign, and registered workers. Without a target URL it starts the engine itself
/// (a child process on 127.0.0.1 with a temporary SQLite file) and stops it afterwards.
/// </summary>
internal sealed class DomainWorld : IAsyncDisposable
{
    public const string Province = "350000";
    public const string District = "350102";
    public const string Occupation = "4-01-02-02";
    public const long FaceValueFen = 50_000;

    private static readonly TimeSpan s_tokenLifetime = TimeSpan.FromHours(12);
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _tokensLock = new();
    private EngineChild? _engine;
    private string? _databasePath;

    private DomainWorld(HttpClient http, Uri baseAddress, string runId)
    {
        Http = http;
        BaseAddress = baseAddress;
        RunId = runId;
    }

    public HttpClient Http { get; }

    public Uri BaseAddress { get; }

    /// <summary>Makes the ids of this run distinct from earlier runs against the same engine.</summary>
    public string RunId { get; }

    public string CampaignId => "ls-" + RunId;

    /// <summary>Connects to <paramref name="target"/>, or starts an engine when it is null.</summary>
    public static async Task<DomainWorld> StartAsync(HttpClient http, Uri? target, CancellationToken cancellationToken)
    {
        var runId = DateTimeOffset.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        if (target is not null)
        {
            return new DomainWorld(http, target, runId);
        }

        var database = Path.Combine(Path.GetTempPath(), $"orleansvoucher-load-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Silo:Storage:Provider"] = "Sqlite",
            ["Silo:Storage:Sqlite:DatabasePath"] = database,
            ["Api:RateLimiting:PerCaller:TokenLimit"] = "1000000",
            ["Api:RateLimiting:PerCaller:TokensPerPeriod"] = "1000000",
            ["Api:RateLimiting:Verification:TokenLimit"] = "1000000",
            ["Api:RateLimiting:Verification:TokensPerPeriod"] = "1000000",
        };
        var engine = await EngineChild.StartAsync(settings, cancellationToken).ConfigureAwait(false);
        return new DomainWorld(http, engine.Address, runId) { _engine = engine, _databasePath = database };
    }

    public string Token(string role, string subject, string? region = null)
    {
        lock (_tokensLock)
        {
            var key = role + "|" + subject;
            if (!_tokens.TryGetValue(key, out var token))
            {
                token = EngineToken.For(EngineChild.EngineDirectory, role, subject, region, s_tokenLifetime);
                _tokens[key] = token;
            }

            return token;
        }
    }

    public string Authority => Token("authority", "hrss-" + Province, Province);

    public static int Year => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;

    /// <summary>The <paramref name="n"/>th worker's citizen id for this run.</summary>
    public string Citizen(int n)
    {
        var offset = int.Parse(RunId.AsSpan(4), CultureInfo.InvariantCulture) % 5000;
        var birth = new DateOnly(1970, 1, 1).AddDays(offset + (n / 1000));
        var first17 = string.Create(CultureInfo.InvariantCulture, $"{District}{birth:yyyyMMdd}{n % 1000:D3}");
        return first17 + CitizenId.CheckCharacterOf(first17);
    }

    public string Institution(int n) => string.Create(CultureInfo.InvariantCulture, $"LS{RunId}{n:D2}");

    /// <summary>Sends a request with a bearer token; the answer is for the caller to dispose.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseAddress, path));
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Http.SendAsync(request, cancellationToken);
    }

    /// <summary>Sends and expects a 2xx answer; returns its JSON body.</summary>
    public async Task<JsonElement> ExpectAsync(HttpMethod method, string path, string token, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, token, body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Fujian's policy and catalogue, <paramref name="institutions"/> listed institutions each with a class, an open general campaign of <paramref name="stock"/> vouchers, and <paramref name="workers"/> workers.</summary>
    public async Task SeedAsync(int institutions, int stock, int workers, CancellationToken cancellationToken)
    {
        var authority = Authority;
        await ExpectAsync(HttpMethod.Put, $"/api/v1/regions/{Province}/policy", authority, new
        {
            validity = new { mode = "singleDeadline", validMonths = 3 },
            yearlyLimits = new { perOccupation = (int?)null, perYear = (int?)null },
            oneLiveVoucher = true,
            attendanceThresholdPercent = 60,
            onlineShareCapPercent = 40,
            classRegistrationLeadDays = 0,
            sanctionStrikeLimit = 3,
        }, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(HttpMethod.Put, $"/api/v1/regions/{Province}/catalogues/{Year}", authority, new
        {
            occupations = new object[] { new { code = Occupation, name = "电子商务师", kind = "knowledgeSkill", standards = new[] { new { level = (string?)null, subsidyFen = 80_000 } } } },
        }, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < institutions; i++)
        {
            var id = Institution(i);
            await ExpectAsync(HttpMethod.Put, $"/api/v1/institutions/{id}", authority, new
            {
                name = $"Load institution {id}",
                regionCode = District,
                nature = "private",
                occupations = new[] { Occupation },
                site = new { latitude = 26.0745, longitude = 119.2965 },
                siteRadiusMetres = 200,
                address = "1 Training Road",
                contactName = "Lin",
                contactPhone = "0591-87654321",
                onlinePlatform = false,
            }, cancellationToken).ConfigureAwait(false);
            var start = DateTimeOffset.UtcNow.AddDays(7);
            await ExpectAsync(HttpMethod.Post, $"/api/v1/institutions/{id}/classes", Token("institution", id), new
            {
                classCode = "LOAD-1",
                occupationCode = Occupation,
                sessions = Enumerable.Range(0, 5).Select(d => new { start = start.AddDays(d), end = start.AddDays(d).AddHours(2), mode = "offline" }).ToArray(),
            }, cancellationToken).ConfigureAwait(false);
        }

        await ExpectAsync(HttpMethod.Put, $"/api/v1/campaigns/{CampaignId}", authority, new
        {
            name = $"Load campaign {RunId}",
            regionCode = Province,
            valueMode = "faceValue",
            issuanceMode = "general",
            tier = "basic",
            faceValueFen = FaceValueFen,
            quantityCap = stock,
            budgetCapFen = stock * FaceValueFen,
            claimOpensAt = new DateTimeOffset(Year, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
            claimClosesAt = new DateTimeOffset(Year + 1, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
            catalogueYear = Year,
            occupationCode = Occupation,
        }, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(HttpMethod.Post, $"/api/v1/campaigns/{CampaignId}/open", authority, null, cancellationToken).ConfigureAwait(false);
        await Parallel.ForAsync(0, workers, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (n, token) =>
        {
            var citizen = Citizen(n);
            await ExpectAsync(HttpMethod.Put, $"/api/v1/workers/{citizen}", authority, new
            {
                name = $"Worker {citizen[^4..]}",
                unemploymentInsurance = new[] { new { regionCode = District, months = 40 } },
                categories = Array.Empty<string>(),
                householdRegion = District,
            }, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>The worker claims a voucher of the campaign: its code, null when the stock is gone; throws on anything else.</summary>
    public async Task<Response> ClaimAsync(int worker, Action<string> claimed, CancellationToken cancellationToken)
    {
        var citizen = Citizen(worker);
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{CampaignId}/claims", Token("worker", citizen), new { citizenId = citizen }, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            using var receipt = JsonDocument.Parse(text);
            claimed(receipt.RootElement.GetProperty("voucherCode").GetString()!);
            return Response.Ok(status, text.Length, "claimed");
        }

        return response.StatusCode == HttpStatusCode.Conflict && text.Contains("exhausted", StringComparison.Ordinal)
            ? Response.Ok(status, text.Length, "sold out")
            : Response.Fail($"claim answered {status}: {text}", status, text.Length);
    }

    /// <summary>The campaign's statistics as the authority reads them.</summary>
    public Task<JsonElement> StatisticsAsync(CancellationToken cancellationToken) =>
        ExpectAsync(HttpMethod.Get, $"/api/v1/campaigns/{CampaignId}/statistics", Authority, null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
            foreach (var file in new[] { _databasePath!, _databasePath + "-wal", _databasePath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
