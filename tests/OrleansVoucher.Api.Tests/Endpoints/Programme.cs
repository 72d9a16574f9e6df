using System.Text.Json;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Builds the programme a test needs through the HTTP API, as its parties would, asserting that each
/// step succeeds: policies, catalogues, institutions, campaigns, workers, claims, classes,
/// verifications, check-ins and results.
/// </summary>
public sealed class Programme(VoucherEngine engine)
{
    /// <summary>电子商务师, knowledge-skill, standard ¥800.</summary>
    public const string Ecommerce = "4-01-02-02";

    /// <summary>育婴员, operation-skill, ¥1,500 at level 5, ¥1,000 without a level.</summary>
    public const string Nursery = "4-10-01-02";

    /// <summary>电工, operation-skill, ¥1,200 at level 5, ¥900 without a level.</summary>
    public const string Electrician = "6-31-01-03";

    /// <summary>Where the training sites are (Fuzhou; the position is only compared with itself).</summary>
    public static readonly (double Latitude, double Longitude) Site = (26.0745, 119.2965);

    /// <summary>The engine.</summary>
    public VoucherEngine Engine => engine;

    /// <summary>Fujian (seed 000 §7, §10): valid 3 months, one training per occupation per year, one live voucher.</summary>
    public static object FujianPolicy => Policy(new { mode = "singleDeadline", validMonths = 3 }, perOccupation: 1, perYear: null, oneLiveVoucher: true, leadDays: 0);

    /// <summary>Shaoxing (seed 002 三(一)): activate within 3 months, use within 6, one a year, 60% attendance.</summary>
    public static object ShaoxingPolicy => Policy(new { mode = "activateThenUse", activateWithinMonths = 3, useWithinMonths = 6 }, perOccupation: null, perYear: 1, oneLiveVoucher: false, leadDays: 0);

    /// <summary>Shanghai (seed 003 三(二)): classes registered 3 days ahead, valid 6 months, no yearly limit.</summary>
    public static object ShanghaiPolicy => Policy(new { mode = "singleDeadline", validMonths = 6 }, perOccupation: null, perYear: null, oneLiveVoucher: false, leadDays: 3);

    /// <summary>A policy body.</summary>
    public static object Policy(object validity, int? perOccupation, int? perYear, bool oneLiveVoucher, int leadDays) => new
    {
        validity,
        yearlyLimits = new { perOccupation, perYear },
        oneLiveVoucher,
        attendanceThresholdPercent = 60,
        onlineShareCapPercent = 40,
        classRegistrationLeadDays = leadDays,
        sanctionStrikeLimit = 3,
    };

    /// <summary>The three standard occupations.</summary>
    public static object Catalogue => new
    {
        occupations = new object[]
        {
            new
            {
                code = Nursery, name = "育婴员", kind = "operationSkill", trainingType = "就业技能培训", shortage = true,
                standards = new object[] { new { level = "elementary", subsidyFen = 150_000 }, new { level = (string?)null, subsidyFen = 100_000 } },
                uplifts = new[] { new { category = "LowIncomeRural", percent = 20 } },
            },
            new { code = Ecommerce, name = "电子商务师", kind = "knowledgeSkill", standards = new[] { new { level = (string?)null, subsidyFen = 80_000 } } },
            new
            {
                code = Electrician, name = "电工", kind = "operationSkill", trainingType = "岗位技能提升培训",
                standards = new object[] { new { level = "elementary", subsidyFen = 120_000 }, new { level = (string?)null, subsidyFen = 90_000 } },
            },
        },
    };

    /// <summary>A region with a policy and this year's catalogue, set by its authority.</summary>
    public async Task RegionAsync(string region, object policy)
    {
        var authority = engine.As(Caller.Authority(region));
        await authority.PutJsonAsync($"/api/v1/regions/{region}/policy", policy).ExpectAsync(200);
        await authority.PutJsonAsync($"/api/v1/regions/{region}/catalogues/{engine.Now.ToOffset(TimeSpan.FromHours(8)).Year}", Catalogue).ExpectAsync(200);
    }

    /// <summary>An institution listed by the authority of <paramref name="listedBy"/>.</summary>
    public async Task<string> InstitutionAsync(string id, string region, string listedBy, bool onlinePlatform = false, params string[] occupations)
    {
        await engine.As(Caller.Authority(listedBy)).PutJsonAsync($"/api/v1/institutions/{id}", Listing(id, region, onlinePlatform, occupations)).ExpectAsync(201);
        return id;
    }

    /// <summary>An institution's listing body, for the given occupations (all three when none).</summary>
    public static object Listing(string id, string region, bool onlinePlatform = false, params string[] occupations) => new
    {
        name = $"Institution {id}",
        regionCode = region,
        nature = "private",
        occupations = occupations.Length == 0 ? [Ecommerce, Nursery, Electrician] : occupations,
        site = onlinePlatform ? null : new { latitude = Site.Latitude, longitude = Site.Longitude },
        siteRadiusMetres = 200,
        address = "1 Training Road",
        contactName = "Lin",
        contactPhone = "0591-87654321",
        onlinePlatform,
    };

    /// <summary>A general face-value campaign body: the claim window is this calendar year.</summary>
    public object General(string region, long faceValueFen = 50_000, int quantity = 1000, string? occupation = null) => new
    {
        name = $"General campaign of {region}",
        regionCode = region,
        valueMode = "faceValue",
        issuanceMode = "general",
        tier = "basic",
        faceValueFen,
        quantityCap = quantity,
        budgetCapFen = quantity * faceValueFen,
        claimOpensAt = new DateTimeOffset(Year, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
        claimClosesAt = new DateTimeOffset(Year + 1, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
        catalogueYear = Year,
        occupationCode = occupation,
    };

    /// <summary>A directed credit campaign body for <paramref name="occupation"/>.</summary>
    public object Directed(string region, string occupation, long reserveFen = 200_000, int quantity = 1000) => new
    {
        name = $"Directed campaign of {region}",
        regionCode = region,
        valueMode = "credit",
        issuanceMode = "directed",
        tier = "basic",
        creditReserveFen = reserveFen,
        quantityCap = quantity,
        budgetCapFen = quantity * reserveFen,
        claimOpensAt = new DateTimeOffset(Year, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
        claimClosesAt = new DateTimeOffset(Year + 1, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
        catalogueYear = Year,
        occupationCode = occupation,
    };

    /// <summary>The local calendar year of the engine's clock.</summary>
    public int Year => engine.Now.ToOffset(TimeSpan.FromHours(8)).Year;

    /// <summary>Creates a campaign and, unless <paramref name="open"/> is false, opens it.</summary>
    public async Task<string> CampaignAsync(string id, string region, object definition, bool open = true)
    {
        var authority = engine.As(Caller.Authority(region));
        await authority.PutJsonAsync($"/api/v1/campaigns/{id}", definition).ExpectAsync(201);
        if (open)
        {
            await authority.PostJsonAsync($"/api/v1/campaigns/{id}/open").ExpectAsync(200);
        }

        return id;
    }

    /// <summary>A worker registered by the authority of <paramref name="region"/>, living and insured there.</summary>
    public async Task<string> WorkerAsync(string citizenId, string region, int insuranceMonths = 40, params string[] categories)
    {
        await engine.As(Caller.Authority(region)).PutJsonAsync($"/api/v1/workers/{citizenId}", Attributes(citizenId, region, insuranceMonths, categories)).ExpectAsync(201);
        return citizenId;
    }

    /// <summary>A worker's attributes body: living and insured in <paramref name="region"/>.</summary>
    public static object Attributes(string citizenId, string region, int insuranceMonths = 40, params string[] categories) => new
    {
        name = $"Worker {citizenId[^4..]}",
        unemploymentInsurance = new[] { new { regionCode = region, months = insuranceMonths } },
        categories,
        householdRegion = region,
    };

    /// <summary>The worker claims a general voucher; returns its code.</summary>
    public async Task<string> ClaimAsync(string campaignId, string citizenId) =>
        (await engine.As(Caller.Worker(citizenId)).PostJsonAsync($"/api/v1/campaigns/{campaignId}/claims", new { citizenId }).ExpectAsync(201)).Str("voucherCode");

    /// <summary>Offline sessions of two hours, daily, from <paramref name="startsIn"/>; then <paramref name="online"/> online ones.</summary>
    public object[] Sessions(TimeSpan startsIn, int offline = 5, int online = 0)
    {
        var start = engine.Now + startsIn;
        return [.. Enumerable.Range(0, offline + online).Select(i => new
        {
            start = start + TimeSpan.FromDays(i),
            end = start + TimeSpan.FromDays(i) + TimeSpan.FromHours(2),
            mode = i < offline ? "offline" : "online",
        })];
    }

    /// <summary>The institution registers a class of <paramref name="occupation"/> starting in <paramref name="startsIn"/> (7 days when not given).</summary>
    public async Task<JsonElement> ClassAsync(string institutionId, string classCode, string occupation = Ecommerce, TimeSpan? startsIn = null, int offline = 5, int online = 0, string? onlinePartnerId = null)
    {
        var registration = new { classCode, occupationCode = occupation, sessions = Sessions(startsIn ?? TimeSpan.FromDays(7), offline, online), onlinePartnerId };
        return await engine.As(Caller.Institution(institutionId)).PostJsonAsync($"/api/v1/institutions/{institutionId}/classes", registration).ExpectAsync(201);
    }

    /// <summary>A verification at enrolment.</summary>
    public Task<HttpResponseMessage> VerifyAsync(string institutionId, string voucherCode, string presenter, string classCode, string? idempotencyKey = null) =>
        engine.As(Caller.Institution(institutionId)).PostJsonAsync(
            $"/api/v1/institutions/{institutionId}/verifications", new { voucherCode, presenterCitizenId = presenter, classCode }, idempotencyKey);

    /// <summary>Checks the trainee in by position at the given offline sessions (every one when none given), moving the clock to each.</summary>
    public async Task AttendAsync(string institutionId, string classCode, string citizenId, params int[] sessions)
    {
        var schoolClass = await engine.As(Caller.Institution(institutionId)).GetAsync($"/api/v1/institutions/{institutionId}/classes/{classCode}").ExpectAsync(200);
        var plans = schoolClass.GetProperty("sessions").EnumerateArray().ToList();
        var attend = sessions.Length == 0 ? Enumerable.Range(0, plans.Count).Where(i => plans[i].Str("mode") == "offline") : sessions;
        foreach (var session in attend)
        {
            var start = plans[session].GetProperty("start").GetDateTimeOffset();
            if (engine.Now < start)
            {
                engine.Clock.SetUtcNow(start);
            }

            var checkIn = new { citizenId, session, position = new { latitude = Site.Latitude, longitude = Site.Longitude } };
            await engine.As(Caller.Worker(citizenId)).PostJsonAsync($"/api/v1/institutions/{institutionId}/classes/{classCode}/check-ins", checkIn).ExpectAsync(201);
        }
    }

    /// <summary>The institution records a passed whole-training result with a certificate.</summary>
    public Task<JsonElement> PassAsync(string institutionId, string classCode, string citizenId) =>
        engine.As(Caller.Institution(institutionId)).PostJsonAsync(
            $"/api/v1/institutions/{institutionId}/classes/{classCode}/results",
            new { citizenId, part = "whole", passed = true, certificateNumber = $"CERT-{classCode}-{citizenId[^4..]}" }).ExpectAsync(201);

    /// <summary>The voucher as the authority of <paramref name="region"/> reads it.</summary>
    public Task<JsonElement> VoucherAsync(string code, string region) =>
        engine.As(Caller.Authority(region)).GetAsync($"/api/v1/vouchers/{code}").ExpectAsync(200);
}
