using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Seed 000 (Fujian) over HTTP: a general face-value voucher valid 3 months (R9), one live voucher per
/// worker (R7), each campaign's voucher claimed once (R8), one training per occupation per calendar year (R10), through verification, attendance,
/// result and settlement, and an unused voucher that expires on its own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FujianGeneralVoucherTests(VoucherEngine engine) : IClassFixture<VoucherEngine>
{
    private const string Fujian = "350000";
    private const string Gulou = "350102";
    private const string School = "FJGULOU01";

    [Fact]
    public async Task A_general_voucher_is_claimed_used_once_per_occupation_and_year_settled_and_expires_unused_after_3_months()
    {
        var programme = new Programme(engine);
        await programme.RegionAsync(Fujian, Programme.FujianPolicy);
        await programme.InstitutionAsync(School, Gulou, listedBy: Fujian);
        await programme.CampaignAsync("fj-general-2026", Fujian, programme.General(Fujian, faceValueFen: 50_000));
        var holder = await programme.WorkerAsync(Caller.CitizenId(Gulou, 1), Gulou);
        var idle = await programme.WorkerAsync(Caller.CitizenId(Gulou, 2), Gulou);
        var worker = engine.As(Caller.Worker(holder));

        // R9: claimed on 2 March, valid through 2 June (the end of that local day).
        var receipt = await worker.PostJsonAsync("/api/v1/campaigns/fj-general-2026/claims", new { citizenId = holder }).ExpectAsync(201);
        Assert.Equal(50_000, receipt.GetProperty("amountFen").GetInt64());
        Assert.Equal(new DateTimeOffset(2026, 6, 3, 0, 0, 0, TimeSpan.FromHours(8)), receipt.GetProperty("deadline").GetDateTimeOffset());
        var code = receipt.Str("voucherCode");
        var unused = await programme.ClaimAsync("fj-general-2026", idle);

        // R7: no second voucher while one is live.
        await worker.PostJsonAsync("/api/v1/campaigns/fj-general-2026/claims", new { citizenId = holder }).ProblemAsync(409, "live-voucher-held");

        // R11: verified at enrolment; verifying again is the same verification, answered with the same receipt.
        await programme.ClassAsync(School, "EC-1", Programme.Ecommerce);
        await programme.VerifyAsync(School, code, idle, "EC-1").ProblemAsync(422, "identity-mismatch");
        var verified = await programme.VerifyAsync(School, code, holder, "EC-1").ExpectAsync(201);
        var again = await programme.VerifyAsync(School, code.ToLowerInvariant(), holder, "EC-1").ExpectAsync(200);
        Assert.Equal(verified.GetRawText(), again.GetRawText());
        await programme.VerifyAsync(School, code, idle, "EC-1").ProblemAsync(409, "already-used");

        // R13, R14, R16: attended, passed with a certificate, the subsidy claimed (the face value caps the ¥800 standard) and paid.
        await programme.AttendAsync(School, "EC-1", holder);
        var completion = await programme.PassAsync(School, "EC-1", holder);
        Assert.True(completion.GetProperty("completed").GetBoolean());
        var claim = await engine.As(Caller.Institution(School))
            .PostJsonAsync($"/api/v1/institutions/{School}/settlement-claims", new { voucherCode = code, part = "whole" }).ExpectAsync(201);
        Assert.Equal(50_000, claim.GetProperty("amountFen").GetInt64());
        var settled = await engine.As(Caller.Authority(Fujian))
            .PostJsonAsync($"/api/v1/vouchers/{code}/settlement-decisions", new { part = "whole", decision = "approve" }).ExpectAsync(200);
        Assert.Equal("settled", settled.Str("status"));

        // R8: the campaign's voucher is claimed once; a second comes from another campaign.
        await engine.As(Caller.Worker(holder)).PostJsonAsync("/api/v1/campaigns/fj-general-2026/claims", new { citizenId = holder }).ProblemAsync(409, "already-claimed");
        await programme.CampaignAsync("fj-general-2026-2", Fujian, programme.General(Fujian, faceValueFen: 50_000));

        // R10: one training per occupation per year — a second e-commerce training this year is refused, another occupation is not.
        var second = await programme.ClaimAsync("fj-general-2026-2", holder);
        await programme.ClassAsync(School, "EC-2", Programme.Ecommerce);
        await programme.VerifyAsync(School, second, holder, "EC-2").ProblemAsync(422, "yearly-limit-reached");
        await programme.ClassAsync(School, "NU-1", Programme.Nursery);
        await programme.VerifyAsync(School, second, holder, "NU-1").ExpectAsync(201);

        // R9: the voucher nobody used is void after its deadline, without anything touching it.
        engine.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 3, 0, 1, 0, TimeSpan.FromHours(8)));
        Assert.Equal("expired", (await programme.VoucherAsync(unused, Fujian)).Str("status"));
        await programme.ClassAsync(School, "EC-3", Programme.Ecommerce);
        await programme.VerifyAsync(School, unused, idle, "EC-3").ProblemAsync(409, "voucher-expired");
        Assert.Equal("expired", (await engine.As(Caller.Worker(idle)).GetAsync($"/api/v1/workers/{idle}/vouchers").ExpectAsync(200))[0].Str("status"));

        // R19: the campaign's indicators.
        var statistics = await engine.As(Caller.Authority(Fujian)).GetAsync("/api/v1/campaigns/fj-general-2026/statistics").ExpectAsync(200);
        Assert.Equal(2, statistics.GetProperty("claimed").GetInt64());
        Assert.Equal(1, statistics.GetProperty("activated").GetInt64());
        Assert.Equal(1, statistics.GetProperty("settled").GetInt64());
        Assert.Equal(1, statistics.GetProperty("expired").GetInt64());
        Assert.Equal(50_000, statistics.GetProperty("settledAmountFen").GetInt64());
        var recounted = await engine.As(Caller.Authority(Fujian)).GetAsync("/api/v1/campaigns/fj-general-2026/statistics?recount=true").ExpectAsync(200);
        Assert.Equal(statistics.GetRawText(), recounted.GetRawText());
        var archive = await engine.As(Caller.Worker(holder)).GetAsync($"/api/v1/workers/{holder}/archive").ExpectAsync(200);
        Assert.Contains(archive.EnumerateArray(), e => e.Str("kind") == "SettlementApproved" && e.Str("voucherCode") == code);
    }
}
