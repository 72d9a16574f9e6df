using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// The code-taking endpoints — verification, the voucher check, the rollback, a directed voucher's claim — draw on the
/// per-caller <c>Verification</c> bucket in place of the group's per-caller one, against walking the
/// code space.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VerificationRateLimitTests(VerificationRateLimitTests.Limited engine) : IClassFixture<VerificationRateLimitTests.Limited>
{
    [Fact]
    public async Task Verification_draws_on_its_own_bucket_per_institution_instead_of_the_per_caller_one()
    {
        // Verification admits 3 at once, the per-caller bucket only 2: the 3rd verification passes, the 4th is refused.
        var school = engine.As(Caller.Institution("FJRATE01"));
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(429, (int)(await VerifyUnknownAsync(school, "FJRATE01")).StatusCode);
        }

        var refused = await VerifyUnknownAsync(school, "FJRATE01");
        await Problem.AssertAsync(refused, 429, "rate-limited");
        Assert.NotNull(refused.Headers.RetryAfter);
        await Problem.AssertAsync(await school.PostJsonAsync("/api/v1/institutions/FJRATE01/verification-rollbacks", new { voucherCode = VoucherCode.New(), reason = "x" }), 429, "rate-limited");
        await Problem.AssertAsync(
            await school.PostJsonAsync("/api/v1/institutions/FJRATE01/voucher-checks", new { voucherCode = VoucherCode.New(), presenterCitizenId = Caller.CitizenId("350102", 999), classCode = "D-1" }),
            429,
            "rate-limited");

        // The per-caller bucket was not drawn on, and another institution has a bucket of its own.
        await school.GetAsync("/api/v1/me").ExpectAsync(200);
        await school.GetAsync("/api/v1/me").ExpectAsync(200);
        await Problem.AssertAsync(await school.GetAsync("/api/v1/me"), 429, "rate-limited");
        Assert.NotEqual(429, (int)(await VerifyUnknownAsync(engine.As(Caller.Institution("FJRATE02")), "FJRATE02")).StatusCode);
    }

    [Fact]
    public async Task A_worker_claiming_directed_vouchers_by_code_draws_on_the_verification_bucket()
    {
        var citizenId = Caller.CitizenId("350102", 7);
        var worker = engine.As(Caller.Worker(citizenId));
        for (var i = 0; i < 3; i++)
        {
            await Problem.AssertAsync(await worker.PostJsonAsync($"/api/v1/vouchers/{VoucherCode.New()}/claim", new { citizenId }), 404, "voucher-not-found");
        }

        await Problem.AssertAsync(await worker.PostJsonAsync($"/api/v1/vouchers/{VoucherCode.New()}/claim", new { citizenId }), 429, "rate-limited");
    }

    private static Task<HttpResponseMessage> VerifyUnknownAsync(HttpClient client, string institutionId) =>
        client.PostJsonAsync(
            $"/api/v1/institutions/{institutionId}/verifications",
            new { voucherCode = VoucherCode.New(), presenterCitizenId = Caller.CitizenId("350102", 999), classCode = "D-1" });

    /// <summary>The engine with a verification bucket of 3 and a per-caller one of 2, neither refilling during a test.</summary>
    public sealed class Limited : VoucherEngine
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [
            new("Api:RateLimiting:Verification:TokenLimit", "3"),
            new("Api:RateLimiting:Verification:TokensPerPeriod", "1"),
            new("Api:RateLimiting:Verification:ReplenishmentPeriod", "01:00:00"),
            new("Api:RateLimiting:PerCaller:TokenLimit", "2"),
            new("Api:RateLimiting:PerCaller:TokensPerPeriod", "1"),
            new("Api:RateLimiting:PerCaller:ReplenishmentPeriod", "01:00:00"),
        ];
    }
}
