using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// R3 over HTTP: what a sanctioned institution may still do. A suspended one (rectifying, 002 四(四)) is
/// refused new verifications and settlement claims but finishes the training under way, which it settles
/// once reinstated; a removed one (out of the catalogue, 004 五) vouches for nothing of its classes, while
/// what its trainees do themselves is still recorded. A sanction that lands while an approval of the
/// institution's claim is under way, through this engine or another on the same database, is either
/// before the approval (refused) or after it (paid while active), never in between.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class InstitutionSanctionTests(VoucherEngine engine) : IClassFixture<VoucherEngine>
{
    private const string Fujian = "350000";
    private const string Gulou = "350102";

    [Fact]
    public async Task R3_a_suspended_institution_finishes_the_training_under_way_and_settles_it_once_reinstated()
    {
        const string school = "FJSANCT01";
        var (programme, trainee, code) = await EnrolledAsync(school, 1);
        var other = await programme.WorkerAsync(Caller.CitizenId(Gulou, 11), Gulou);
        var otherCode = await programme.ClaimAsync("fj-sanctions-1", other);
        await Authority().PostJsonAsync($"/api/v1/institutions/{school}/suspend", new { reason = "Three quality problems" }).ExpectAsync(200);

        await programme.VerifyAsync(school, otherCode, other, "EC-1").ProblemAsync(422, "institution-suspended");
        await programme.AttendAsync(school, "EC-1", trainee, 0, 1, 2);
        await Institution(school).PostJsonAsync($"/api/v1/institutions/{school}/classes/EC-1/check-in-tokens", new { session = 2, validForSeconds = 300 }).ExpectAsync(201);
        Assert.True((await programme.PassAsync(school, "EC-1", trainee)).GetProperty("completed").GetBoolean());
        await Institution(school).PostJsonAsync($"/api/v1/institutions/{school}/classes/EC-1/trainee-ratings", new { citizenId = trainee, score = 4 }).ExpectAsync(204);
        await Institution(school).PostJsonAsync($"/api/v1/institutions/{school}/settlement-claims", new { voucherCode = code, part = "whole" }).ProblemAsync(422, "institution-suspended");

        await Authority().PostJsonAsync($"/api/v1/institutions/{school}/reinstate", new { reason = "Rectified" }).ExpectAsync(200);
        await Institution(school).PostJsonAsync($"/api/v1/institutions/{school}/settlement-claims", new { voucherCode = code, part = "whole" }).ExpectAsync(201);
    }

    [Fact]
    public async Task R3_a_settlement_claimed_before_a_suspension_or_removal_is_not_approved_while_it_lasts()
    {
        const string school = "FJSANCT04";
        var (programme, code) = await ClaimedAsync(school, 4);

        await Authority().PostJsonAsync($"/api/v1/institutions/{school}/suspend", new { reason = "Three quality problems" }).ExpectAsync(200);
        await ApproveAsync(Authority(), code).ProblemAsync(422, "institution-suspended");
        await Authority().PostJsonAsync($"/api/v1/institutions/{school}/remove", new { reason = "Fake training" }).ExpectAsync(200);
        await ApproveAsync(Authority(), code).ProblemAsync(422, "institution-removed");
        Assert.Equal("claimed", (await programme.VoucherAsync(code, Fujian)).GetProperty("settlement")[0].Str("status"));

        // Listed again, it is paid what it claimed; a rejection was open to the authority all along.
        await Authority().PutJsonAsync($"/api/v1/institutions/{school}", Programme.Listing(school, Gulou)).ExpectAsync(200);
        await ApproveAsync(Authority(), code).ExpectAsync(200);
        Assert.Equal("settled", (await programme.VoucherAsync(code, Fujian)).Str("status"));
    }

    [Fact]
    public async Task R3_a_suspension_through_another_engine_between_an_approvals_check_and_its_commit_refuses_the_approval()
    {
        const string school = "FJSANCT05";
        var (programme, code) = await ClaimedAsync(school, 5);
        var other = engine.SecondEngine();
        var suspensions = 0;

        // Just before this engine's approval reaches the store, with the institution found active, another
        // engine suspends the institution, and the authority is told it is suspended.
        engine.Storage.Interleave(WritesVoucher(code), async () =>
        {
            await VoucherEngine.As(Caller.Authority(Fujian), other)
                .PostJsonAsync($"/api/v1/institutions/{school}/suspend", new { reason = "Three quality problems" }).ExpectAsync(200);
            suspensions++;
        });

        var refused = await ApproveAsync(Authority(), code).ProblemAsync(422, "institution-suspended");

        Assert.Equal(1, suspensions);
        Assert.Equal($"Institution {school} is suspended (Three quality problems); its claim is paid once it is reinstated.", refused.Str("detail"));
        Assert.Equal("claimed", (await programme.VoucherAsync(code, Fujian)).GetProperty("settlement")[0].Str("status"));

        // Reinstated through the other engine, it is paid through this one.
        await VoucherEngine.As(Caller.Authority(Fujian), other).PostJsonAsync($"/api/v1/institutions/{school}/reinstate", new { reason = "Rectified" }).ExpectAsync(200);
        await ApproveAsync(Authority(), code).ExpectAsync(200);
        Assert.Equal("settled", (await programme.VoucherAsync(code, Fujian)).Str("status"));
    }

    [Fact]
    public async Task R3_an_engine_that_last_saw_the_institution_active_does_not_pay_it_once_another_engine_removed_it()
    {
        const string school = "FJSANCT06";

        // The claim went through this engine, whose activation of the institution still holds it active.
        var (programme, code) = await ClaimedAsync(school, 6);
        await VoucherEngine.As(Caller.Authority(Fujian), engine.SecondEngine())
            .PostJsonAsync($"/api/v1/institutions/{school}/remove", new { reason = "Fake training" }).ExpectAsync(200);

        await ApproveAsync(Authority(), code).ProblemAsync(422, "institution-removed");

        Assert.Equal("claimed", (await programme.VoucherAsync(code, Fujian)).GetProperty("settlement")[0].Str("status"));
    }

    [Fact]
    public async Task R3_a_removed_institution_records_no_result_rating_or_check_in_code_while_its_trainees_check_ins_still_count()
    {
        const string school = "FJSANCT02";
        var (programme, trainee, code) = await EnrolledAsync(school, 2);
        await programme.AttendAsync(school, "EC-1", trainee, 0, 1);
        await Authority().PostJsonAsync($"/api/v1/institutions/{school}/remove", new { reason = "Fake training" }).ExpectAsync(200);

        await programme.AttendAsync(school, "EC-1", trainee, 2);
        await Institution(school).PostJsonAsync($"/api/v1/institutions/{school}/classes/EC-1/check-in-tokens", new { session = 2, validForSeconds = 300 }).ProblemAsync(422, "institution-removed");
        await Institution(school).PostJsonAsync(
            $"/api/v1/institutions/{school}/classes/EC-1/results",
            new { citizenId = trainee, part = "whole", passed = true, certificateNumber = "CERT-REMOVED" }).ProblemAsync(422, "institution-removed");
        await Institution(school).PostJsonAsync($"/api/v1/institutions/{school}/classes/EC-1/trainee-ratings", new { citizenId = trainee, score = 5 }).ProblemAsync(422, "institution-removed");

        var attendance = await engine.As(Caller.Worker(trainee)).GetAsync($"/api/v1/institutions/{school}/classes/EC-1/trainees/{trainee}/attendance").ExpectAsync(200);
        Assert.Equal([0, 1, 2], attendance.GetProperty("attendedSessions").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal("activated", (await programme.VoucherAsync(code, Fujian)).Str("status"));
    }

    [Fact]
    public async Task R3_a_removed_online_platform_reports_no_online_study_of_its_partners_class()
    {
        const string school = "FJSANCT03";
        const string platform = "FJONLINE03";
        var programme = new Programme(engine);
        await programme.RegionAsync(Fujian, Programme.FujianPolicy);
        await programme.InstitutionAsync(school, Gulou, listedBy: Fujian);
        await programme.InstitutionAsync(platform, Gulou, listedBy: Fujian, onlinePlatform: true);
        var campaign = await programme.CampaignAsync("fj-sanctions-3", Fujian, programme.General(Fujian));
        var trainee = await programme.WorkerAsync(Caller.CitizenId(Gulou, 3), Gulou);
        var code = await programme.ClaimAsync(campaign, trainee);
        var registered = await programme.ClassAsync(school, "EC-1", Programme.Ecommerce, offline: 3, online: 2, onlinePartnerId: platform);
        await programme.VerifyAsync(school, code, trainee, "EC-1").ExpectAsync(201);
        engine.Clock.SetUtcNow(registered.GetProperty("sessions")[3].GetProperty("end").GetDateTimeOffset());
        await Institution(platform).PostJsonAsync($"/api/v1/institutions/{school}/classes/EC-1/online-study", new { citizenId = trainee, session = 3 }).ExpectAsync(201);

        await Authority().PostJsonAsync($"/api/v1/institutions/{platform}/remove", new { reason = "Fake online hours" }).ExpectAsync(200);
        engine.Clock.SetUtcNow(registered.GetProperty("sessions")[4].GetProperty("end").GetDateTimeOffset());

        await Institution(platform).PostJsonAsync($"/api/v1/institutions/{school}/classes/EC-1/online-study", new { citizenId = trainee, session = 4 })
            .ProblemAsync(422, "institution-removed");
        await Institution(platform).PostJsonAsync($"/api/v1/institutions/{school}/classes/EC-1/results", new { citizenId = trainee, part = "online", passed = true })
            .ProblemAsync(422, "institution-removed");
    }

    /// <summary>The institution as a caller, with a token fresh at the engine's clock.</summary>
    private HttpClient Institution(string school) => engine.As(Caller.Institution(school));

    /// <summary>Fujian's authority as a caller.</summary>
    private HttpClient Authority() => engine.As(Caller.Authority(Fujian));

    /// <summary>The authority's approval of the whole part's claim on <paramref name="code"/>.</summary>
    private static Task<HttpResponseMessage> ApproveAsync(HttpClient authority, string code) =>
        authority.PostJsonAsync($"/api/v1/vouchers/{code}/settlement-decisions", new { part = "whole", decision = "approve" });

    /// <summary>Whether a unit writes the voucher's state.</summary>
    private static Func<WriteUnit, bool> WritesVoucher(string code)
    {
        var key = VoucherCode.TryParse(code, out var canonical) ? canonical : throw new FormatException($"'{code}' is not a voucher code.");
        return unit => unit.States.Any(s => s.Key.GrainType == "voucher" && s.Key.GrainKey == key);
    }

    /// <summary>As <see cref="EnrolledAsync"/>, with the training completed and the whole part's settlement claimed.</summary>
    private async Task<(Programme Programme, string Code)> ClaimedAsync(string school, int n)
    {
        var (programme, trainee, code) = await EnrolledAsync(school, n);
        await programme.AttendAsync(school, "EC-1", trainee);
        Assert.True((await programme.PassAsync(school, "EC-1", trainee)).GetProperty("completed").GetBoolean());
        await Institution(school).PostJsonAsync($"/api/v1/institutions/{school}/settlement-claims", new { voucherCode = code, part = "whole" }).ExpectAsync(201);
        return (programme, code);
    }

    /// <summary>A Fujian institution with a class EC-1 in 7 days and worker <paramref name="n"/> verified into it.</summary>
    private async Task<(Programme Programme, string Trainee, string Code)> EnrolledAsync(string school, int n)
    {
        var programme = new Programme(engine);
        await programme.RegionAsync(Fujian, Programme.FujianPolicy);
        await programme.InstitutionAsync(school, Gulou, listedBy: Fujian);
        var campaign = await programme.CampaignAsync($"fj-sanctions-{n}", Fujian, programme.General(Fujian));

        var trainee = await programme.WorkerAsync(Caller.CitizenId(Gulou, n), Gulou);
        var code = await programme.ClaimAsync(campaign, trainee);
        await programme.ClassAsync(school, "EC-1", Programme.Ecommerce);
        await programme.VerifyAsync(school, code, trainee, "EC-1").ExpectAsync(201);
        return (programme, trainee, code);
    }
}
