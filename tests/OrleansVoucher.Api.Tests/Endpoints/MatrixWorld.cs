using System.Net.Http.Headers;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// A Fujian programme built over HTTP for requests that need real resources: a policy and catalogue,
/// listed institutions, open, draft and directed campaigns, registered workers, claimed and verified
/// vouchers, a class, rosters and a finished bulk job. Callers come in pairs: one in the resources'
/// scope, one out of it.
/// </summary>
public sealed class MatrixWorld : VoucherEngine
{
    /// <summary>Fujian province, whose authority is in scope for every resource here.</summary>
    public const string Province = "350000";

    /// <summary>Gulou district of Fuzhou.</summary>
    public const string Gulou = "350102";

    /// <summary>Siming district of Xiamen.</summary>
    public const string Siming = "350203";

    /// <summary>The institution whose classes and vouchers these are.</summary>
    public const string SchoolId = "FJMATRIX01";

    /// <summary>Another institution, in Xiamen.</summary>
    public const string OtherId = "FJMATRIX02";

    /// <summary>An institution the sanction requests act on.</summary>
    public const string SanctionedId = "FJMATRIX03";

    /// <summary>The class of <see cref="SchoolId"/> that <see cref="Holder"/> is enrolled in.</summary>
    public const string ClassCode = "C-1";

    /// <summary>The authority in scope.</summary>
    public static readonly Caller Fujian = Caller.Authority(Province);

    /// <summary>An authority out of scope.</summary>
    public static readonly Caller Zhejiang = Caller.Authority("330000");

    /// <summary>The institution in scope.</summary>
    public static readonly Caller School = Caller.Institution(SchoolId);

    /// <summary>An institution out of scope.</summary>
    public static readonly Caller Other = Caller.Institution(OtherId);

    /// <summary>The worker holding <see cref="HolderVoucher"/>, enrolled in the class.</summary>
    public static readonly string Holder = Caller.CitizenId(Gulou, 1);

    /// <summary>A worker of Xiamen with no voucher.</summary>
    public static readonly string Stranger = Caller.CitizenId(Siming, 2);

    /// <summary>The worker of the approved roster, holding <see cref="DirectedVoucher"/>.</summary>
    public static readonly string Trainee = Caller.CitizenId(Gulou, 3);

    /// <summary>The worker holding <see cref="RevocableVoucher"/>.</summary>
    public static readonly string Revocable = Caller.CitizenId(Gulou, 4);

    /// <summary>The worker holding <see cref="EnrolledVoucher"/>, enrolled in the class too.</summary>
    public static readonly string Enrolled = Caller.CitizenId(Gulou, 5);

    /// <summary>The voucher of <see cref="Holder"/>, verified into the class.</summary>
    public string HolderVoucher { get; private set; } = "";

    /// <summary>The directed voucher issued to <see cref="Trainee"/>, not yet claimed.</summary>
    public string DirectedVoucher { get; private set; } = "";

    /// <summary>A claimed voucher to revoke.</summary>
    public string RevocableVoucher { get; private set; } = "";

    /// <summary>A voucher verified into the class, to roll back.</summary>
    public string EnrolledVoucher { get; private set; } = "";

    /// <summary>A finished bulk job of the directed campaign.</summary>
    public string JobId { get; private set; } = "";

    /// <summary>A directed roster with one row whose citizen id is wrong.</summary>
    public static string RejectedRowCsv => "citizen_id,name,occupation_code,level\n350102199001011230,张三,4-01-02-02,\n";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var programme = new Programme(this);
        await programme.RegionAsync(Province, Programme.FujianPolicy);
        await programme.InstitutionAsync(SchoolId, Gulou, listedBy: Province);
        await programme.InstitutionAsync(OtherId, Siming, listedBy: Province);
        await programme.InstitutionAsync(SanctionedId, Gulou, listedBy: Province);
        await programme.CampaignAsync("mx-general", Province, programme.General(Province));
        await programme.CampaignAsync("mx-directed", Province, programme.Directed(Province, Programme.Ecommerce));
        await programme.CampaignAsync("mx-draft", Province, programme.General(Province), open: false);
        await programme.CampaignAsync("mx-openable", Province, programme.General(Province), open: false);
        await programme.CampaignAsync("mx-closable", Province, programme.General(Province));
        await programme.WorkerAsync(Holder, Gulou);
        await programme.WorkerAsync(Stranger, Siming);
        await programme.WorkerAsync(Trainee, Gulou);
        await programme.WorkerAsync(Revocable, Gulou);
        await programme.WorkerAsync(Enrolled, Gulou);
        HolderVoucher = await programme.ClaimAsync("mx-general", Holder);
        RevocableVoucher = await programme.ClaimAsync("mx-general", Revocable);
        EnrolledVoucher = await programme.ClaimAsync("mx-general", Enrolled);
        await programme.ClassAsync(SchoolId, ClassCode, Programme.Ecommerce);
        await programme.VerifyAsync(SchoolId, HolderVoucher, Holder, ClassCode).ExpectAsync(201);
        await programme.VerifyAsync(SchoolId, EnrolledVoucher, Enrolled, ClassCode).ExpectAsync(201);

        var school = As(School);
        var roster = new { rosterNo = "R-1", institutionId = SchoolId, entries = new[] { new { citizenId = Trainee, occupationCode = Programme.Ecommerce } } };
        await school.PostJsonAsync("/api/v1/campaigns/mx-directed/rosters", roster).ExpectAsync(201);
        var approved = await As(Fujian).PostJsonAsync("/api/v1/campaigns/mx-directed/rosters/R-1/approve").ExpectAsync(200);
        DirectedVoucher = approved.GetProperty("outcomes")[0].Str("voucherCode");
        var pending = new { rosterNo = "R-2", institutionId = SchoolId, entries = new[] { new { citizenId = Stranger, occupationCode = Programme.Ecommerce } } };
        await school.PostJsonAsync("/api/v1/campaigns/mx-directed/rosters", pending).ExpectAsync(201);

        JobId = (await UploadAsync(As(Fujian)).ExpectAsync(202)).Str("id");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await As(Fujian).GetAsync($"/api/v1/jobs/{JobId}").ExpectAsync(200)).Str("status") is not ("completed" or "cancelled" or "failed"))
        {
            Assert.True(DateTime.UtcNow < deadline, "The bulk job did not finish.");
            await Task.Delay(50);
        }
    }

    /// <summary>Uploads <see cref="RejectedRowCsv"/> to the directed campaign.</summary>
    public static Task<HttpResponseMessage> UploadAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var content = new StringContent(RejectedRowCsv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return client.PostAsync($"/api/v1/campaigns/mx-directed/uploads?institutionId={SchoolId}", content);
    }

    /// <summary>
    /// What the in-scope authority reads of the programme, as one text: comparing it before and after
    /// requests shows whether they changed anything.
    /// </summary>
    public async Task<string> SnapshotAsync()
    {
        string[] paths =
        [
            $"/api/v1/vouchers/{HolderVoucher}", $"/api/v1/vouchers/{DirectedVoucher}", $"/api/v1/vouchers/{RevocableVoucher}", $"/api/v1/vouchers/{EnrolledVoucher}",
            $"/api/v1/institutions/{SchoolId}", $"/api/v1/institutions/{SanctionedId}", $"/api/v1/institutions/{OtherId}",
            "/api/v1/campaigns/mx-general", "/api/v1/campaigns/mx-draft", "/api/v1/campaigns/mx-openable", "/api/v1/campaigns/mx-closable",
            "/api/v1/campaigns/mx-directed/rosters/R-1", "/api/v1/campaigns/mx-directed/rosters/R-2",
            $"/api/v1/workers/{Holder}", $"/api/v1/workers/{Stranger}", $"/api/v1/workers/{Trainee}",
            $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}", $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/trainees/{Holder}/attendance",
            $"/api/v1/regions/{Province}/policy", $"/api/v1/regions/{Province}/catalogues/{Now.ToOffset(TimeSpan.FromHours(8)).Year}",
            "/api/v1/regions/350000/campaigns", $"/api/v1/jobs/{JobId}", "/api/v1/campaigns/mx-general/statistics",
        ];
        var authority = As(Fujian);
        var parts = new List<string>();
        foreach (var path in paths)
        {
            var response = await authority.GetAsync(path);
            parts.Add($"{path} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return string.Join('\n', parts);
    }
}
