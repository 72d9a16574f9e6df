using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.LoadTests.Benchmarks.BulkIssue;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Runner;

namespace OrleansVoucher.LoadTests.Scenarios;

/// <summary>
/// The programme a domain scenario loads, set up through the real API with tokens signed by the
/// engine's development key: Fujian's policy and catalogue, listed institutions with two classes each
/// (<see cref="EnrolmentClass"/>, starting in a week, and <see cref="CheckInClass"/>, whose first session
/// takes check-ins now), an open general campaign, and registered workers. Without a target URL it
/// starts the engine itself (<see cref="LocalEngine"/>, on SQLite or PostgreSQL) and stops it afterwards.
/// </summary>
public sealed class DomainWorld : IAsyncDisposable
{
    public const string Province = "350000";
    public const string District = "350102";
    public const string Occupation = "4-01-02-02";
    public const long FaceValueFen = 50_000;

    /// <summary>The class verifications enrol into: it starts in 7 days, so activation is allowed all run long.</summary>
    public const string EnrolmentClass = "LOAD-1";

    /// <summary>The class trainees check in to: its session 0 started a few minutes ago and lasts 4 hours.</summary>
    public const string CheckInClass = "LOAD-CI";

    /// <summary>Fujian's yearly limit: one activation per occupation a year (R10).</summary>
    public const int PerOccupationLimit = 1;

    private static readonly TimeSpan s_tokenLifetime = TimeSpan.FromHours(12);
    /// <summary>How many times one of the world's own requests is sent while the engine answers 429 (each after its Retry-After, at most 10 s).</summary>
    private const int MaxRateLimitedAttempts = 100;
    private static readonly TimeSpan s_maxRetryAfter = TimeSpan.FromSeconds(10);
    private static int s_worlds;
    private int _rateLimitedNoted;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _tokensLock = new();
    private LocalEngine? _engine;

    private DomainWorld(HttpClient http, Uri baseAddress, string runId)
    {
        Http = http;
        BaseAddress = baseAddress;
        RunId = runId;
    }

    public HttpClient Http { get; }

    public Uri BaseAddress { get; }

    /// <summary>Makes the ids of this world distinct from earlier worlds against the same engine.</summary>
    public string RunId { get; }

    public string CampaignId => "ls-" + RunId;

    /// <summary>The campaign's stock, once seeded.</summary>
    public int Stock { get; private set; }

    /// <summary>Connects to <paramref name="target"/>, or starts an engine as <paramref name="engine"/> says when it is null.</summary>
    public static async Task<DomainWorld> StartAsync(HttpClient http, Uri? target, EngineOptions engine, CancellationToken cancellationToken)
    {
        var sequence = Interlocked.Increment(ref s_worlds) % 100;
        var runId = DateTimeOffset.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture) + sequence.ToString("D2", CultureInfo.InvariantCulture);
        if (target is not null)
        {
            return new DomainWorld(http, target, runId);
        }

        var local = await LocalEngine.StartAsync(engine, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"engine: {local.Address} on {local.StoreDescription}");
        return new DomainWorld(http, local.Address, runId) { _engine = local };
    }

    /// <summary>
    /// The world a scenario seeded with <paramref name="campaignId"/> (<c>ls-…</c>), for reading or acting on it
    /// from outside the scenario: its ids are derived from the campaign's. Disposing it stops nothing.
    /// </summary>
    public static DomainWorld Attach(HttpClient http, Uri baseAddress, string campaignId)
    {
        ArgumentNullException.ThrowIfNull(campaignId);
        return campaignId.StartsWith("ls-", StringComparison.Ordinal) && campaignId.Length == 15
            ? new DomainWorld(http, baseAddress, campaignId[3..])
            : throw new ArgumentException($"'{campaignId}' is not the campaign of a domain scenario (ls-MMddHHmmssNN).", nameof(campaignId));
    }

    public string Token(string role, string subject, string? region = null)
    {
        lock (_tokensLock)
        {
            var key = role + "|" + subject;
            if (!_tokens.TryGetValue(key, out var token))
            {
                token = EngineToken.For(LocalEngine.EngineDirectory, role, subject, region, s_tokenLifetime);
                _tokens[key] = token;
            }

            return token;
        }
    }

    public string Authority => Token("authority", "hrss-" + Province, Province);

    public static int Year => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;

    /// <summary>The <paramref name="n"/>th worker's citizen id for this world.</summary>
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
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }

        return Http.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Sends a request of the world's own — seeding, a job poll, the checks after the run — and waits out
    /// the engine's rate limits: a 429 is sent again after its <c>Retry-After</c>, so an engine running
    /// with its limits (a target given with <c>--url</c>) slows these requests down instead of failing the
    /// run or reporting an invariant as broken. The measured requests are sent once, 429 or not.
    /// </summary>
    public async Task<HttpResponseMessage> SendWaitingOutRateLimitsAsync(HttpMethod method, string path, string token, object? body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await SendAsync(method, path, token, body, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == MaxRateLimitedAttempts)
            {
                return response;
            }

            var wait = RetryAfter(response);
            response.Dispose();
            if (Interlocked.Exchange(ref _rateLimitedNoted, 1) == 0)
            {
                Console.Error.WriteLine(
                    $"{BaseAddress} answers 429 rate-limited to the scenario's seeding and checks; waiting as its Retry-After says. " +
                    "An engine under load test should run with its rate limits raised (docs/load-testing.md, \"The engine\").");
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends and expects a 2xx answer, waiting out rate limits; returns its JSON body.</summary>
    public async Task<JsonElement> ExpectAsync(HttpMethod method, string path, string token, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendWaitingOutRateLimitsAsync(method, path, token, body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new TargetRefusedException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Fujian's policy and catalogue, <paramref name="institutions"/> listed institutions each with the two
    /// classes, an open general campaign of <paramref name="stock"/> vouchers, and <paramref name="workers"/>
    /// registered workers (0 for none: a bulk upload registers its own).
    /// </summary>
    public async Task SeedAsync(int institutions, int stock, int workers, CancellationToken cancellationToken)
    {
        Stock = stock;
        var authority = Authority;
        await ExpectAsync(HttpMethod.Put, $"/api/v1/regions/{Province}/policy", authority, new
        {
            validity = new { mode = "singleDeadline", validMonths = 3 },
            yearlyLimits = new { perOccupation = (int?)PerOccupationLimit, perYear = (int?)null },
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
            var inAWeek = DateTimeOffset.UtcNow.AddDays(7);
            await ExpectAsync(HttpMethod.Post, $"/api/v1/institutions/{id}/classes", Token("institution", id), new
            {
                classCode = EnrolmentClass,
                occupationCode = Occupation,
                sessions = Enumerable.Range(0, 5).Select(d => new { start = inAWeek.AddDays(d), end = inAWeek.AddDays(d).AddHours(2), mode = "offline" }).ToArray(),
            }, cancellationToken).ConfigureAwait(false);

            // Check-ins open 30 minutes before a session starts; verification closes when the class starts.
            var soon = DateTimeOffset.UtcNow.AddMinutes(20);
            await ExpectAsync(HttpMethod.Post, $"/api/v1/institutions/{id}/classes", Token("institution", id), new
            {
                classCode = CheckInClass,
                occupationCode = Occupation,
                sessions = Enumerable.Range(0, 5).Select(d => new { start = soon.AddDays(d), end = soon.AddDays(d).AddHours(4), mode = "offline" }).ToArray(),
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

    /// <summary>Seeding: workers <paramref name="from"/> … <paramref name="from"/> + <paramref name="count"/> − 1 each claim a voucher; their codes, in that order.</summary>
    public async Task<string[]> ClaimAllAsync(int from, int count, CancellationToken cancellationToken)
    {
        var codes = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var response = await ClaimAsync(from + i, code => codes[i] = code, waitOutRateLimits: true, token).ConfigureAwait(false);
            if (codes[i] is null)
            {
                throw new TargetRefusedException($"Seeding: worker {from + i} could not claim: {response}");
            }
        }).ConfigureAwait(false);
        return codes;
    }

    /// <summary>Seeding: each voucher is verified by its holder (worker <paramref name="from"/> + i) into <paramref name="classCode"/> at institution i mod <paramref name="institutions"/>.</summary>
    public async Task VerifyAllAsync(int from, IReadOnlyList<string> codes, int institutions, string classCode, CancellationToken cancellationToken)
    {
        await Parallel.ForAsync(0, codes.Count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var response = await VerifyAsync(Institution(i % institutions), codes[i], Citizen(from + i), classCode, waitOutRateLimits: true, token).ConfigureAwait(false);
            if (response.IsError)
            {
                throw new TargetRefusedException($"Seeding: voucher of worker {from + i} could not be verified: {response}");
            }
        }).ConfigureAwait(false);
    }

    /// <summary>The worker claims a voucher of the campaign: ok when claimed (its code goes to <paramref name="claimed"/>) or sold out.</summary>
    public Task<Response> ClaimAsync(int worker, Action<string> claimed, CancellationToken cancellationToken) =>
        ClaimAsync(worker, claimed, waitOutRateLimits: false, cancellationToken);

    private async Task<Response> ClaimAsync(int worker, Action<string> claimed, bool waitOutRateLimits, CancellationToken cancellationToken)
    {
        var citizen = Citizen(worker);
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{CampaignId}/claims", Token("worker", citizen), new { citizenId = citizen }, waitOutRateLimits, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = Status(response);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            using var receipt = JsonDocument.Parse(text);
            claimed(receipt.RootElement.GetProperty("voucherCode").GetString()!);
            return Response.Ok(status, text.Length, "claimed");
        }

        return response.StatusCode == HttpStatusCode.Conflict && text.Contains("exhausted", StringComparison.Ordinal)
            ? Response.Ok(status, text.Length, "sold out")
            : Response.Fail($"claim answered {status}: {Code(text)}", status, text.Length);
    }

    /// <summary>The institution verifies (and so activates) the voucher presented by its holder: ok only on 201.</summary>
    public Task<Response> VerifyAsync(string institution, string code, string citizen, string classCode, CancellationToken cancellationToken) =>
        VerifyAsync(institution, code, citizen, classCode, waitOutRateLimits: false, cancellationToken);

    /// <summary>As <see cref="VerifyAsync(string, string, string, string, CancellationToken)"/>; with <paramref name="waitOutRateLimits"/>, for seeding and checks, a 429 is waited out.</summary>
    public async Task<Response> VerifyAsync(string institution, string code, string citizen, string classCode, bool waitOutRateLimits, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            HttpMethod.Post,
            $"/api/v1/institutions/{institution}/verifications",
            Token("institution", institution),
            new { voucherCode = code, presenterCitizenId = citizen, classCode },
            waitOutRateLimits,
            cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = Status(response);
        return response.StatusCode == HttpStatusCode.Created
            ? Response.Ok(status, text.Length)
            : Response.Fail($"verification answered {status}: {Code(text)}", status, text.Length);
    }

    /// <summary>The institution scans the voucher (the read-only check): the answer, or a failure for anything but 200.</summary>
    public async Task<(Response Response, bool Verifiable, string? Reason)> CheckAsync(string institution, string code, string citizen, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            HttpMethod.Post,
            $"/api/v1/institutions/{institution}/voucher-checks",
            Token("institution", institution),
            new { voucherCode = code, presenterCitizenId = citizen, classCode = EnrolmentClass },
            cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = Status(response);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (Response.Fail($"check answered {status}: {Code(text)}", status, text.Length), false, null);
        }

        using var answer = JsonDocument.Parse(text);
        var verifiable = answer.RootElement.GetProperty("verifiable").GetBoolean();
        var reason = answer.RootElement.GetProperty("reason").GetString();
        return (Response.Ok(status, text.Length), verifiable, reason);
    }

    /// <summary>The institution issues a check-in code for session 0 of <see cref="CheckInClass"/>, valid 15 minutes.</summary>
    public async Task<string> CheckInTokenAsync(string institution, CancellationToken cancellationToken)
    {
        var token = await ExpectAsync(
            HttpMethod.Post,
            $"/api/v1/institutions/{institution}/classes/{CheckInClass}/check-in-tokens",
            Token("institution", institution),
            new { session = 0, validForSeconds = 900 },
            cancellationToken).ConfigureAwait(false);
        return token.GetProperty("token").GetString()!;
    }

    /// <summary>The trainee checks in to session 0 of <see cref="CheckInClass"/> at the institution with its scanned code: ok only on 201.</summary>
    public async Task<Response> CheckInAsync(string institution, int trainee, string checkInToken, CancellationToken cancellationToken)
    {
        var citizen = Citizen(trainee);
        using var response = await SendAsync(
            HttpMethod.Post,
            $"/api/v1/institutions/{institution}/classes/{CheckInClass}/check-ins",
            Token("worker", citizen),
            new { citizenId = citizen, session = 0, token = checkInToken },
            cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = Status(response);
        return response.StatusCode == HttpStatusCode.Created
            ? Response.Ok(status, text.Length)
            : Response.Fail($"check-in answered {status}: {Code(text)}", status, text.Length);
    }

    /// <summary>
    /// Uploads rows for workers <paramref name="from"/> … <paramref name="from"/> + <paramref name="rows"/> − 1
    /// (each registered by its row) to the campaign as CSV; the job's id.
    /// </summary>
    public async Task<(Response Response, string? JobId)> UploadAsync(int from, int rows, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder("citizen_id,name,household_region,insurance\n", 64 * (rows + 1));
        for (var n = from; n < from + rows; n++)
        {
            var citizen = Citizen(n);
            csv.Append(CultureInfo.InvariantCulture, $"{citizen},Worker {citizen[^4..]},{District},{District}:40\n");
        }

        using var content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        using var response = await SendAsync(HttpMethod.Post, $"/api/v1/campaigns/{CampaignId}/uploads", Authority, content, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = Status(response);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return (Response.Fail($"upload answered {status}: {Code(text)}", status, text.Length), null);
        }

        using var job = JsonDocument.Parse(text);
        return (Response.Ok(status, text.Length), job.RootElement.GetProperty("id").GetString());
    }

    /// <summary>A bulk job as the authority reads it.</summary>
    public Task<JsonElement> JobAsync(string jobId, CancellationToken cancellationToken) =>
        ExpectAsync(HttpMethod.Get, $"/api/v1/jobs/{jobId}", Authority, null, cancellationToken);

    /// <summary>The campaign's statistics as the authority reads them; with <paramref name="recount"/>, recounted from its first event.</summary>
    public Task<JsonElement> StatisticsAsync(CancellationToken cancellationToken, bool recount = false) =>
        ExpectAsync(HttpMethod.Get, $"/api/v1/campaigns/{CampaignId}/statistics{(recount ? "?recount=true" : string.Empty)}", Authority, null, cancellationToken);

    /// <summary>
    /// The invariants every domain scenario checks after its run, through the API: the campaign's stock
    /// and budget are not exceeded (R5), its statistics equal a recount from its first event, and each of
    /// the workers <paramref name="workers"/> holds at most one live voucher (R7), no more activations of
    /// the occupation this year than the limit (R10), and no voucher another worker's slot holds too
    /// (none used twice). Returns the statistics; adds what is broken to <paramref name="broken"/>.
    /// </summary>
    public async Task<JsonElement> CheckInvariantsAsync(int workers, List<string> broken, CancellationToken cancellationToken)
    {
        var campaign = await ExpectAsync(HttpMethod.Get, $"/api/v1/campaigns/{CampaignId}", Authority, null, cancellationToken).ConfigureAwait(false);
        var allocated = campaign.GetProperty("allocatedQuantity").GetInt64();
        var allocatedBudget = campaign.GetProperty("allocatedBudgetFen").GetInt64();
        if (allocated > Stock || allocatedBudget > Stock * FaceValueFen)
        {
            broken.Add($"the campaign allocated {allocated} vouchers and {allocatedBudget} fen of a stock of {Stock} and a budget of {Stock * FaceValueFen}");
        }

        var statistics = await StatisticsAsync(cancellationToken).ConfigureAwait(false);
        var recount = await StatisticsAsync(cancellationToken, recount: true).ConfigureAwait(false);
        var claimed = statistics.GetProperty("claimed").GetInt64();
        if (claimed > Stock)
        {
            broken.Add($"oversold: {claimed} vouchers claimed from a stock of {Stock}");
        }

        if (statistics.GetProperty("issuedAmountFen").GetInt64() > Stock * FaceValueFen)
        {
            broken.Add($"over budget: {statistics.GetProperty("issuedAmountFen").GetInt64()} fen issued of {Stock * FaceValueFen}");
        }

        foreach (var counter in statistics.EnumerateObject())
        {
            if (counter.Name is "asOf")
            {
                continue;
            }

            var recounted = recount.TryGetProperty(counter.Name, out var value) ? value.GetRawText() : "(missing)";
            if (counter.Value.GetRawText() != recounted)
            {
                broken.Add($"the statistic {counter.Name} is {counter.Value.GetRawText()}; a recount says {recounted}");
            }
        }

        var slotOwners = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var problems = new ConcurrentQueue<string>();
        await Parallel.ForAsync(0, workers, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (n, token) =>
        {
            var citizen = Citizen(n);
            using var response = await SendWaitingOutRateLimitsAsync(HttpMethod.Get, $"/api/v1/workers/{citizen}", Authority, null, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                problems.Enqueue($"worker {citizen} could not be read: {(int)response.StatusCode}");
                return;
            }

            using var worker = JsonDocument.Parse(text);
            var live = worker.RootElement.GetProperty("vouchers").EnumerateArray()
                .Count(v => v.GetProperty("status").GetString() is "issued" or "claimed");
            if (live > 1)
            {
                problems.Enqueue($"worker {citizen} holds {live} live vouchers (R7 allows one)");
            }

            var slots = worker.RootElement.GetProperty("slots").EnumerateArray().ToList();
            var thisYear = slots.Count(s => s.GetProperty("year").GetInt32() == Year && s.GetProperty("occupationCode").GetString() == Occupation);
            if (thisYear > PerOccupationLimit)
            {
                problems.Enqueue($"worker {citizen} took {thisYear} slots of {Occupation} in {Year} (R10 allows {PerOccupationLimit})");
            }

            foreach (var slot in slots)
            {
                var code = slot.GetProperty("voucherCode").GetString()!;
                if (!slotOwners.TryAdd(code, citizen))
                {
                    problems.Enqueue($"voucher {code} was used twice: by {slotOwners[code]} and {citizen}");
                }
            }
        }).ConfigureAwait(false);
        broken.AddRange(problems.Take(10));
        if (problems.Count > 10)
        {
            broken.Add($"… and {problems.Count - 10} more broken per worker");
        }

        return statistics;
    }

    /// <summary>A voucher as the authority reads it.</summary>
    public Task<JsonElement> VoucherAsync(string code, CancellationToken cancellationToken) =>
        ExpectAsync(HttpMethod.Get, $"/api/v1/vouchers/{code}", Authority, null, cancellationToken);

    /// <summary>The sessions the trainee attended in <see cref="CheckInClass"/> at the institution.</summary>
    public async Task<IReadOnlyList<int>> AttendedAsync(string institution, int trainee, CancellationToken cancellationToken)
    {
        var attendance = await ExpectAsync(
            HttpMethod.Get,
            $"/api/v1/institutions/{institution}/classes/{CheckInClass}/trainees/{Citizen(trainee)}/attendance",
            Token("institution", institution),
            null,
            cancellationToken).ConfigureAwait(false);
        return [.. attendance.GetProperty("attendedSessions").EnumerateArray().Select(s => s.GetInt32())];
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body, bool waitOutRateLimits, CancellationToken cancellationToken) =>
        waitOutRateLimits ? SendWaitingOutRateLimitsAsync(method, path, token, body, cancellationToken) : SendAsync(method, path, token, body, cancellationToken);

    /// <summary>How long a 429 asks to wait (its Retry-After, 1 s without one), at most 10 s.</summary>
    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > s_maxRetryAfter ? s_maxRetryAfter : wait;
    }

    private static string Status(HttpResponseMessage response) => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);

    /// <summary>A problem's stable code (failure reasons carry no ids), else the start of the body.</summary>
    private static string Code(string text)
    {
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("code", out var code))
            {
                return code.GetString() ?? "(no code)";
            }
        }
        catch (JsonException)
        {
        }

        return text.Length > 80 ? text[..80] : text;
    }
}

/// <summary>The engine answered one of the world's own requests (seeding, a poll, a check) with an error.</summary>
public sealed class TargetRefusedException(string message) : ScenarioFailureException(message);
