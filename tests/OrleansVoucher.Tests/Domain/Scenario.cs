using System.Globalization;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Builds the world a test needs through the grain interfaces, asserting each step succeeds.</summary>
public sealed class Scenario(DomainTestBase test)
{
    /// <summary>Fujian province.</summary>
    public const string Fujian = "350000";

    /// <summary>Gulou district of Fuzhou, Fujian.</summary>
    public const string Gulou = "350102";

    /// <summary>Shaoxing city, Zhejiang.</summary>
    public const string Shaoxing = "330600";

    /// <summary>Yuecheng district of Shaoxing.</summary>
    public const string Yuecheng = "330602";

    /// <summary>Shanghai.</summary>
    public const string Shanghai = "310000";

    /// <summary>Huangpu district of Shanghai.</summary>
    public const string Huangpu = "310101";

    /// <summary>育婴员, operation-skill, a shortage occupation.</summary>
    public const string Nursery = "4-10-01-02";

    /// <summary>电子商务师, knowledge-skill.</summary>
    public const string Ecommerce = "4-01-02-02";

    /// <summary>电工, operation-skill.</summary>
    public const string Electrician = "6-31-01-03";

    /// <summary>A training site in Fuzhou.</summary>
    public static readonly GeoPoint Site = new(26.0745, 119.2965);

    public const int Year = 2026;

    private IGrainFactory Grains => test.CurrentGrains;

    public DateTimeOffset Now => test.CurrentClock.GetUtcNow();

    /// <summary>A valid citizen id, distinct for each <paramref name="n"/> (up to a million).</summary>
    public static string Citizen(int n, string region = Gulou, DateOnly? born = null)
    {
        var birth = born ?? new DateOnly(1970, 1, 1).AddDays(n / 1000 % 12000);
        var first17 = region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + (n % 1000).ToString("000", CultureInfo.InvariantCulture);
        return first17 + CitizenId.CheckCharacterOf(first17);
    }

    /// <summary>The standard catalogue entries.</summary>
    public static OccupationEntry[] Occupations =>
    [
        new()
        {
            Code = Nursery, Name = "育婴员", TrainingType = "就业技能培训", Kind = SkillKind.OperationSkill, Shortage = true,
            Standards = [new(SkillLevel.Elementary, 150_000), new(SkillLevel.Intermediate, 200_000), new(null, 100_000)],
            Uplifts = [new("LowIncomeRural", 20)],
        },
        new()
        {
            Code = Ecommerce, Name = "电子商务师", TrainingType = "就业技能培训", Kind = SkillKind.KnowledgeSkill,
            Standards = [new(null, 80_000)],
        },
        new()
        {
            Code = Electrician, Name = "电工", TrainingType = "岗位技能提升培训", Kind = SkillKind.OperationSkill,
            Standards = [new(SkillLevel.Elementary, 120_000), new(null, 90_000)],
        },
    ];

    /// <summary>A region with a policy and this year's catalogue.</summary>
    public async Task RegionAsync(string region, RegionPolicy policy)
    {
        Ok(await Grains.GetGrain<IRegionGrain>(region).SetPolicyAsync(policy));
        Ok(await Grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region, Year)).PublishAsync(Occupations));
    }

    /// <summary>A region's catalogue for another year.</summary>
    public async Task CatalogueForAsync(string region, int year) =>
        Ok(await Grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region, year)).PublishAsync(Occupations));

    /// <summary>Fujian's policy and catalogue at province level.</summary>
    public Task FujianAsync() => RegionAsync(Fujian, RegionPolicy.Fujian);

    /// <summary>An institution listed in <paramref name="region"/> for <paramref name="occupations"/> (all three when none).</summary>
    public async Task<string> InstitutionAsync(string id, string region = Gulou, bool onlinePlatform = false, params string[] occupations)
    {
        var listing = new InstitutionListing
        {
            Name = $"Institution {id}",
            RegionCode = region,
            Address = "1 Training Road",
            Nature = InstitutionNature.Private,
            Occupations = occupations.Length == 0 ? [Nursery, Ecommerce, Electrician] : occupations,
            ContactName = "Contact",
            ContactPhone = "0591-00000000",
            Site = onlinePlatform ? null : Site,
            SiteRadiusMetres = 200,
            OnlinePlatform = onlinePlatform,
        };
        Ok(await Grains.GetGrain<IInstitutionGrain>(id).ListAsync(listing));
        return id;
    }

    /// <summary>A general face-value campaign, open, with the given caps.</summary>
    public static CampaignDefinition General(string region, int quantity = 1000, long budgetFen = 100_000_000, long faceValueFen = 50_000) => new()
    {
        Name = "General campaign",
        RegionCode = region,
        ValueMode = ValueMode.FaceValue,
        IssuanceMode = IssuanceMode.General,
        Tier = Tier.Basic,
        FaceValueFen = faceValueFen,
        QuantityCap = quantity,
        BudgetCapFen = budgetFen,
        ClaimOpensAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, ChinaTime.Offset),
        ClaimClosesAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, ChinaTime.Offset),
        CatalogueYear = Year,
    };

    /// <summary>A directed credit campaign, open.</summary>
    public static CampaignDefinition Directed(string region, string? occupation = null, int quantity = 1000) => General(region, quantity) with
    {
        Name = "Directed campaign",
        IssuanceMode = IssuanceMode.Directed,
        ValueMode = ValueMode.Credit,
        FaceValueFen = 0,
        CreditReserveFen = 200_000,
        OccupationCode = occupation,
    };

    /// <summary>Creates and opens a campaign.</summary>
    public async Task<string> CampaignAsync(string id, CampaignDefinition definition)
    {
        var campaign = Grains.GetGrain<ICampaignGrain>(id);
        Ok(await campaign.CreateAsync(definition));
        Ok(await campaign.OpenAsync());
        return id;
    }

    /// <summary>A registered worker.</summary>
    public async Task<string> WorkerAsync(int n, WorkerAttributes? attributes = null, string region = Gulou, DateOnly? born = null)
    {
        var id = Citizen(n, region, born);
        Ok(await Grains.GetGrain<IWorkerGrain>(id).RegisterAsync(attributes ?? new WorkerAttributes { Name = $"Worker {n}" }));
        return id;
    }

    /// <summary>The claim of a general voucher, through the worker's issuer.</summary>
    public async Task<Result<ClaimReceipt>> TryClaimAsync(string campaignId, string citizenId, SkillLevel? level = null)
    {
        var campaign = await Grains.GetGrain<ICampaignGrain>(campaignId).GetAsync();
        var issuer = Grains.GetGrain<ICampaignIssuerGrain>(CampaignIssuers.KeyFor(campaignId, citizenId, campaign?.Definition.IssuerCount ?? 1));
        return await issuer.ClaimAsync(new ClaimRequest(citizenId, level));
    }

    /// <summary>A claimed voucher's code.</summary>
    public async Task<string> ClaimAsync(string campaignId, string citizenId, SkillLevel? level = null) =>
        (await TryClaimAsync(campaignId, citizenId, level)).GetValueOrThrow().VoucherCode;

    /// <summary>Offline sessions of two hours, daily, from <paramref name="startsIn"/> from now, then <paramref name="online"/> online ones.</summary>
    public IReadOnlyList<SessionPlan> Sessions(TimeSpan startsIn, int offline = 5, int online = 0)
    {
        var start = Now + startsIn;
        var sessions = new List<SessionPlan>();
        for (var i = 0; i < offline + online; i++)
        {
            var begins = start + TimeSpan.FromDays(i);
            sessions.Add(new SessionPlan(begins, begins + TimeSpan.FromHours(2), i < offline ? SessionMode.Offline : SessionMode.Online));
        }

        return sessions;
    }

    /// <summary>A class of <paramref name="institutionId"/>, starting in <paramref name="startsIn"/> (7 days when not given).</summary>
    public async Task<string> ClassAsync(
        string institutionId,
        string classCode,
        string occupation = Ecommerce,
        TimeSpan? startsIn = null,
        int offline = 5,
        int online = 0,
        SkillLevel? level = null,
        string? onlinePartner = null)
    {
        var registration = new ClassRegistration(classCode, occupation, level, Sessions(startsIn ?? TimeSpan.FromDays(7), offline, online), onlinePartner);
        return (await Grains.GetGrain<IInstitutionGrain>(institutionId).RegisterClassAsync(registration)).GetValueOrThrow().Key;
    }

    /// <summary>A verification at enrolment.</summary>
    public Task<Result<VerificationReceipt>> TryVerifyAsync(string institutionId, string code, string presenter, string classCode) =>
        Grains.GetGrain<IInstitutionGrain>(institutionId).VerifyVoucherAsync(new VerificationRequest(code, presenter, classCode));

    /// <summary>A successful verification.</summary>
    public async Task VerifyAsync(string institutionId, string code, string presenter, string classCode) =>
        Ok(await TryVerifyAsync(institutionId, code, presenter, classCode));

    /// <summary>Moves the clock.</summary>
    public void Advance(TimeSpan by) => test.CurrentClock.Advance(by);

    /// <summary>Moves the clock to <paramref name="instant"/>.</summary>
    public void AdvanceTo(DateTimeOffset instant) => test.CurrentClock.SetUtcNow(instant);

    /// <summary>Checks a trainee in by location at every offline session of a class, moving the clock to each.</summary>
    public async Task AttendAllAsync(string classKey, string citizenId, int? onlyFirst = null)
    {
        var schoolClass = (await Grains.GetGrain<IClassGrain>(classKey).GetAsync())!;
        var count = 0;
        for (var i = 0; i < schoolClass.Sessions.Count && (onlyFirst is null || count < onlyFirst); i++)
        {
            var session = schoolClass.Sessions[i];
            if (Now < session.Start)
            {
                AdvanceTo(session.Start);
            }

            if (session.Mode == SessionMode.Offline)
            {
                Ok(await Grains.GetGrain<IClassGrain>(classKey).CheckInAsync(new CheckInRequest(citizenId, i, Site)));
            }
            else
            {
                Ok(await Grains.GetGrain<IClassGrain>(classKey).RecordOnlineStudyAsync(new OnlineStudyReport(schoolClass.OnlinePartnerId ?? schoolClass.InstitutionId, citizenId, i)));
            }

            count++;
        }
    }

    /// <summary>
    /// A completed voucher: claimed from <paramref name="campaignId"/> (or the given code), verified into
    /// a new class of SCHOOL1, every session attended, passed with a certificate.
    /// </summary>
    public async Task<string> CompletedAsync(string campaignId, string worker, string classCode, string occupation = Ecommerce, string? code = null)
    {
        code ??= await ClaimAsync(campaignId, worker);
        var classKey = await ClassAsync("SCHOOL1", classCode, occupation);
        await VerifyAsync("SCHOOL1", code, worker, classCode);
        await AttendAllAsync(classKey, worker);
        var report = await Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, $"CERT-{classCode}"));
        Assert.True(report.GetValueOrThrow().Completed, report.Value!.Pending);
        return code;
    }

    /// <summary>Fujian with an open general campaign and SCHOOL1 listed; worker <paramref name="n"/> registered and holding a voucher of it.</summary>
    public async Task<(string Code, string Worker)> ClaimedAsync(int n)
    {
        await FujianAsync();
        await CampaignAsync("general", General(Fujian));
        await InstitutionAsync("SCHOOL1");
        var worker = await WorkerAsync(n);
        return (await ClaimAsync("general", worker), worker);
    }

    /// <summary>The voucher now.</summary>
    public async Task<VoucherView> VoucherAsync(string code) => (await Grains.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow();

    /// <summary>The worker now.</summary>
    public async Task<WorkerView> WorkerViewAsync(string citizenId) => (await Grains.GetGrain<IWorkerGrain>(citizenId).GetAsync()).GetValueOrThrow();

    public static void Ok(Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.IsSuccess, $"Expected success, got {result.Rejection}: {result.Detail}");
    }

    public static void Ok<T>(Result<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.IsSuccess, $"Expected success, got {result.Rejection}: {result.Detail}");
    }

    public static void Rejected(RejectionCode expected, Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.Rejection == expected, $"Expected {expected}, got {(result.IsSuccess ? "success" : $"{result.Rejection}: {result.Detail}")}");
    }

    public static void Rejected<T>(RejectionCode expected, Result<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.Rejection == expected, $"Expected {expected}, got {(result.IsSuccess ? "success" : $"{result.Rejection}: {result.Detail}")}");
    }
}
