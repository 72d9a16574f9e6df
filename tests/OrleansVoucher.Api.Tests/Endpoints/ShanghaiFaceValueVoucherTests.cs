using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Seed 003 (Shanghai) over HTTP: a face-value voucher through class registration 3 days ahead (R12),
/// location check-in with the institution's QR code as the fallback (R13), completion, a rejected and
/// then an approved settlement claim (R16), and the write-off that makes its code invalid for good (R17).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ShanghaiFaceValueVoucherTests(VoucherEngine engine) : IClassFixture<VoucherEngine>
{
    private const string Shanghai = "310000";
    private const string Huangpu = "310101";
    private const string School = "SHHUANGPU01";

    [Fact]
    public async Task A_face_value_voucher_is_trained_checked_in_by_location_or_code_settled_and_written_off()
    {
        var programme = new Programme(engine);
        await programme.RegionAsync(Shanghai, Programme.ShanghaiPolicy);
        await programme.InstitutionAsync(School, Huangpu, listedBy: Shanghai);
        await programme.CampaignAsync("sh-face-value-2026", Shanghai, programme.General(Shanghai, faceValueFen: 100_000));
        var trainee = await programme.WorkerAsync(Caller.CitizenId(Huangpu, 1), Huangpu);
        var code = await programme.ClaimAsync("sh-face-value-2026", trainee);

        // R12: classes and trainees are registered at least 3 days before the class starts.
        var tooLate = new { classCode = "EC-1", occupationCode = Programme.Ecommerce, sessions = programme.Sessions(TimeSpan.FromDays(2)) };
        await AsSchool().PostJsonAsync($"/api/v1/institutions/{School}/classes", tooLate).ProblemAsync(422, "registration-too-late");
        var schoolClass = await programme.ClassAsync(School, "EC-1", Programme.Ecommerce, startsIn: TimeSpan.FromDays(5));
        await programme.VerifyAsync(School, code, trainee, "EC-1").ExpectAsync(201);

        // R13: a position outside the site's radius is refused; the institution's signed code is the fallback.
        engine.Clock.SetUtcNow(schoolClass.GetProperty("sessions")[0].GetProperty("start").GetDateTimeOffset());
        var away = new { citizenId = trainee, session = 0, position = new { latitude = Programme.Site.Latitude + 0.01, longitude = Programme.Site.Longitude } };
        await AsTrainee().PostJsonAsync($"/api/v1/institutions/{School}/classes/EC-1/check-ins", away).ProblemAsync(422, "outside-site-radius");
        var token = await AsSchool().PostJsonAsync($"/api/v1/institutions/{School}/classes/EC-1/check-in-tokens", new { session = 0, validForSeconds = 600 }).ExpectAsync(201);
        await AsTrainee().PostJsonAsync($"/api/v1/institutions/{School}/classes/EC-1/check-ins", new { citizenId = trainee, session = 1, token = token.Str("token") })
            .ProblemAsync(422, "session-not-open");
        var scanned = await AsTrainee().PostJsonAsync($"/api/v1/institutions/{School}/classes/EC-1/check-ins", new { citizenId = trainee, session = 0, token = token.Str("token") }).ExpectAsync(201);
        Assert.Equal("qrToken", scanned.Str("method"));
        await programme.AttendAsync(School, "EC-1", trainee, 1, 2, 3, 4);
        Assert.True((await programme.PassAsync(School, "EC-1", trainee)).GetProperty("completed").GetBoolean());

        // R16: the standard (¥800) is below the face value (¥1,000), so the standard is paid; a rejected claim may be claimed again.
        var claim = new { voucherCode = code, part = "whole", paymentTarget = "institution" };
        Assert.Equal(80_000, (await AsSchool().PostJsonAsync($"/api/v1/institutions/{School}/settlement-claims", claim).ExpectAsync(201)).GetProperty("amountFen").GetInt64());
        await AsAuthority().PostJsonAsync($"/api/v1/vouchers/{code}/settlement-decisions", new { part = "whole", decision = "reject" }).ProblemAsync(400, "validation-failed");
        var rejected = await AsAuthority().PostJsonAsync($"/api/v1/vouchers/{code}/settlement-decisions", new { part = "whole", decision = "reject", reason = "Certificate number not on record" }).ExpectAsync(200);
        Assert.Equal("rejected", rejected.GetProperty("settlement")[0].Str("status"));
        await AsSchool().PostJsonAsync($"/api/v1/institutions/{School}/settlement-claims", claim).ExpectAsync(201);
        var settled = await AsAuthority().PostJsonAsync($"/api/v1/vouchers/{code}/settlement-decisions", new { part = "whole", decision = "approve" }).ExpectAsync(200);
        Assert.Equal("settled", settled.Str("status"));
        Assert.Equal("approved", settled.GetProperty("settlement")[0].Str("status"));

        // R17: written off, the code is invalid for good.
        await programme.VerifyAsync(School, code, trainee, "EC-1").ProblemAsync(409, "voucher-settled");
        await AsSchool().PostJsonAsync($"/api/v1/institutions/{School}/settlement-claims", claim).ProblemAsync(409, "voucher-settled");
        await AsAuthority().PostJsonAsync($"/api/v1/vouchers/{code}/revoke", new { reason = "Too late" }).ProblemAsync(409, "voucher-settled");
        await AsAuthority().PostJsonAsync($"/api/v1/vouchers/{code}/settlement-decisions", new { part = "whole", decision = "approve" }).ProblemAsync(409, "voucher-settled");

        // R19: the region's indicators count it.
        var statistics = await AsAuthority().GetAsync($"/api/v1/regions/{Shanghai}/statistics").ExpectAsync(200);
        Assert.Equal(1, statistics.GetProperty("settled").GetInt64());
        Assert.Equal(80_000, statistics.GetProperty("settledAmountFen").GetInt64());
        Assert.Equal(1, statistics.GetProperty("current").GetProperty("settled").GetInt64());

        // Tokens are minted on the engine's clock, which the test moves by days.
        HttpClient AsAuthority() => engine.As(Caller.Authority(Shanghai));
        HttpClient AsSchool() => engine.As(Caller.Institution(School));
        HttpClient AsTrainee() => engine.As(Caller.Worker(trainee));
    }
}
