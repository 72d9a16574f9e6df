using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Seed 002 (Shaoxing) over HTTP: directed vouchers issued through an institution's approved roster,
/// claimed by their named holders, to be activated within 3 months and used within 6 (R9), one
/// activated per worker per year (R10), and a subsidy only with 60% attendance (R14).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ShaoxingDirectedVoucherTests(VoucherEngine engine) : IClassFixture<VoucherEngine>
{
    private const string Shaoxing = "330600";
    private const string Yuecheng = "330602";
    private const string School = "SXYUECHENG01";
    private const string Campaign = "sx-directed-2026";

    [Fact]
    public async Task Directed_vouchers_are_activated_within_3_months_used_within_6_once_a_year_and_paid_only_with_60_percent_attendance()
    {
        var programme = new Programme(engine);
        await programme.RegionAsync(Shaoxing, Programme.ShaoxingPolicy);
        await programme.InstitutionAsync(School, Yuecheng, listedBy: Shaoxing, onlinePlatform: false, Programme.Electrician);
        await programme.CampaignAsync(Campaign, Shaoxing, programme.Directed(Shaoxing, Programme.Electrician, reserveFen: 200_000));
        var attentive = await programme.WorkerAsync(Caller.CitizenId(Yuecheng, 1), Yuecheng);
        var absent = await programme.WorkerAsync(Caller.CitizenId(Yuecheng, 2), Yuecheng);
        var idle = await programme.WorkerAsync(Caller.CitizenId(Yuecheng, 3), Yuecheng);

        // R4: the institution's roster, approved by the authority, issues a voucher bound to each named AsTrainee().
        var entries = new[] { attentive, absent, idle }.Select(citizenId => new { citizenId, occupationCode = Programme.Electrician }).ToArray();
        var submitted = await AsSchool().PostJsonAsync($"/api/v1/campaigns/{Campaign}/rosters", new { rosterNo = "R-1", institutionId = School, entries }).ExpectAsync(201);
        Assert.Equal("submitted", submitted.Str("status"));
        var approved = await AsAuthority().PostJsonAsync($"/api/v1/campaigns/{Campaign}/rosters/R-1/approve").ExpectAsync(200);
        Assert.Equal("approved", approved.Str("status"));
        var codes = approved.GetProperty("outcomes").EnumerateArray().ToDictionary(o => o.Str("citizenId"), o => o.Str("voucherCode"));
        Assert.Equal(3, codes.Count);

        // R8: only the named holder claims; R9: then it must be activated within 3 months.
        await engine.As(Caller.Worker(absent)).PostJsonAsync($"/api/v1/vouchers/{codes[attentive]}/claim", new { citizenId = absent }).ProblemAsync(422, "identity-mismatch");
        var claimed = await engine.As(Caller.Worker(attentive)).PostJsonAsync($"/api/v1/vouchers/{codes[attentive]}/claim", new { citizenId = attentive }).ExpectAsync(200);
        Assert.Equal("claimed", claimed.Str("status"));
        Assert.Equal(new DateTimeOffset(2026, 6, 3, 0, 0, 0, TimeSpan.FromHours(8)), claimed.GetProperty("deadline").GetDateTimeOffset());
        await engine.As(Caller.Worker(absent)).PostJsonAsync($"/api/v1/vouchers/{codes[absent]}/claim", new { citizenId = absent }).ExpectAsync(200);
        await engine.As(Caller.Worker(idle)).PostJsonAsync($"/api/v1/vouchers/{codes[idle]}/claim", new { citizenId = idle }).ExpectAsync(200);

        // R9: activated at enrolment, then to be used within 6 months.
        await programme.ClassAsync(School, "EL-1", Programme.Electrician);
        var activated = await programme.VerifyAsync(School, codes[attentive], attentive, "EL-1").ExpectAsync(201);
        Assert.Equal(new DateTimeOffset(2026, 9, 3, 0, 0, 0, TimeSpan.FromHours(8)), activated.GetProperty("deadline").GetDateTimeOffset());
        await programme.VerifyAsync(School, codes[absent], absent, "EL-1").ExpectAsync(201);

        // R10: one voucher activated per worker per year, whatever the occupation.
        await AsSchool().PostJsonAsync($"/api/v1/campaigns/{Campaign}/rosters", new { rosterNo = "R-2", institutionId = School, entries = new[] { new { citizenId = attentive, occupationCode = Programme.Electrician } } }).ExpectAsync(201);
        var secondCode = (await AsAuthority().PostJsonAsync($"/api/v1/campaigns/{Campaign}/rosters/R-2/approve").ExpectAsync(200)).GetProperty("outcomes")[0].Str("voucherCode");
        await engine.As(Caller.Worker(attentive)).PostJsonAsync($"/api/v1/vouchers/{secondCode}/claim", new { citizenId = attentive }).ExpectAsync(200);
        await programme.ClassAsync(School, "EL-2", Programme.Electrician);
        await programme.VerifyAsync(School, secondCode, attentive, "EL-2").ProblemAsync(422, "yearly-limit-reached");

        // R14: 3 of 5 sessions is 60% and completes; 2 of 5 is 40% and does not, so nothing is paid for it.
        foreach (var session in new[] { 0, 1 })
        {
            await programme.AttendAsync(School, "EL-1", attentive, session);
            await programme.AttendAsync(School, "EL-1", absent, session);
        }

        await programme.AttendAsync(School, "EL-1", attentive, 2);
        Assert.True((await programme.PassAsync(School, "EL-1", attentive)).GetProperty("completed").GetBoolean());
        var shortfall = await programme.PassAsync(School, "EL-1", absent);
        Assert.False(shortfall.GetProperty("completed").GetBoolean());
        Assert.Equal(40, shortfall.GetProperty("attendancePercent").GetInt32());
        Assert.Contains("AttendanceBelowThreshold", shortfall.Str("pending"), StringComparison.Ordinal);
        var attendance = await engine.As(Caller.Worker(absent)).GetAsync($"/api/v1/institutions/{School}/classes/EL-1/trainees/{absent}/attendance").ExpectAsync(200);
        Assert.Equal(40, attendance.GetProperty("ratePercent").GetInt32());
        await AsSchool().PostJsonAsync($"/api/v1/institutions/{School}/settlement-claims", new { voucherCode = codes[absent], part = "whole" }).ProblemAsync(422, "not-completed");
        var paid = await AsSchool().PostJsonAsync($"/api/v1/institutions/{School}/settlement-claims", new { voucherCode = codes[attentive], part = "whole" }).ExpectAsync(201);
        Assert.Equal(90_000, paid.GetProperty("amountFen").GetInt64());

        // R9: not activated within 3 months of claiming — void.
        engine.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 3, 0, 1, 0, TimeSpan.FromHours(8)));
        Assert.Equal("expired", (await programme.VoucherAsync(codes[idle], Shaoxing)).Str("status"));
        await programme.ClassAsync(School, "EL-3", Programme.Electrician);
        await programme.VerifyAsync(School, codes[idle], idle, "EL-3").ProblemAsync(409, "voucher-expired");
        Assert.Equal("activated", (await programme.VoucherAsync(codes[absent], Shaoxing)).Str("status"));

        // R9: activated but not completed within 6 months — void too.
        engine.Clock.SetUtcNow(new DateTimeOffset(2026, 9, 3, 0, 1, 0, TimeSpan.FromHours(8)));
        Assert.Equal("expired", (await programme.VoucherAsync(codes[absent], Shaoxing)).Str("status"));
        Assert.Equal("completed", (await programme.VoucherAsync(codes[attentive], Shaoxing)).Str("status"));

        // Tokens are minted on the engine's clock, which the test moves by months.
        HttpClient AsAuthority() => engine.As(Caller.Authority(Shaoxing));
        HttpClient AsSchool() => engine.As(Caller.Institution(School));
    }
}
