using System.Text.Json;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Tests.Infrastructure;
using static OrleansVoucher.Api.Tests.Endpoints.MatrixWorld;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Idempotency keys on the programme's POSTs: a retry with the key gets the first response again,
/// marked replayed, and the operation has run once — a second run would have answered differently.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DomainIdempotencyTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    [Fact]
    public async Task A_retried_claim_gets_the_same_voucher_and_the_worker_holds_one()
    {
        var stranger = world.As(Caller.Worker(Stranger));
        var body = new { citizenId = Stranger };

        var (first, firstBody) = await SendAsync(stranger, "/api/v1/campaigns/mx-general/claims", body, "claim-stranger-1");
        var (retry, retryBody) = await SendAsync(stranger, "/api/v1/campaigns/mx-general/claims", body, "claim-stranger-1");

        Assert.Equal(201, (int)first.StatusCode);
        AssertReplayOf(first, firstBody, retry, retryBody);
        var held = await stranger.GetAsync($"/api/v1/workers/{Stranger}/vouchers").ExpectAsync(200);
        Assert.Equal(JsonDocument.Parse(firstBody).RootElement.Str("voucherCode"), Assert.Single(held.EnumerateArray()).Str("code"));
        await stranger.PostJsonAsync("/api/v1/campaigns/mx-general/claims", body).ProblemAsync(409, "live-voucher-held");
    }

    [Fact]
    public async Task A_retried_rejection_by_a_programme_rule_is_replayed_too()
    {
        // The trainee holds the directed voucher of the approved roster, unclaimed and valid (R7).
        var trainee = world.As(Caller.Worker(Trainee));

        var (first, firstBody) = await SendAsync(trainee, "/api/v1/campaigns/mx-general/claims", new { citizenId = Trainee }, "claim-trainee-1");
        var (retry, retryBody) = await SendAsync(trainee, "/api/v1/campaigns/mx-general/claims", new { citizenId = Trainee }, "claim-trainee-1");

        await Problem.AssertAsync(first, 409, "live-voucher-held");
        AssertReplayOf(first, firstBody, retry, retryBody);
    }

    [Fact]
    public async Task A_retried_verification_with_a_key_is_the_recorded_201_not_a_second_run()
    {
        var school = world.As(School);
        var body = new { voucherCode = world.RevocableVoucher, presenterCitizenId = Revocable, classCode = ClassCode };
        var before = await VerificationsAsync();

        var (first, firstBody) = await SendAsync(school, $"/api/v1/institutions/{SchoolId}/verifications", body, "verify-revocable-1");
        var (retry, retryBody) = await SendAsync(school, $"/api/v1/institutions/{SchoolId}/verifications", body, "verify-revocable-1");

        // A second run would answer 200 (the verification is done already); the replay is the first 201.
        Assert.Equal(201, (int)first.StatusCode);
        AssertReplayOf(first, firstBody, retry, retryBody);
        Assert.Equal(before + 1, await VerificationsAsync());

        async Task<long> VerificationsAsync() =>
            (await world.As(Fujian).GetAsync($"/api/v1/institutions/{SchoolId}").ExpectAsync(200)).GetProperty("verifications").GetInt64();
    }

    [Fact]
    public async Task A_retried_strike_is_recorded_once()
    {
        var authority = world.As(Fujian);
        var strike = new { kind = "laxEligibilityReview", reason = "Trainee's eligibility not checked" };

        var (first, firstBody) = await SendAsync(authority, $"/api/v1/institutions/{OtherId}/strikes", strike, "strike-other-1");
        var (retry, retryBody) = await SendAsync(authority, $"/api/v1/institutions/{OtherId}/strikes", strike, "strike-other-1");

        Assert.Equal(201, (int)first.StatusCode);
        AssertReplayOf(first, firstBody, retry, retryBody);
        var institution = await authority.GetAsync($"/api/v1/institutions/{OtherId}").ExpectAsync(200);
        Assert.Single(institution.GetProperty("strikes").EnumerateArray());
    }

    [Fact]
    public async Task A_retried_roster_submission_is_the_recorded_201_not_already_exists()
    {
        var school = world.As(School);
        var roster = new { rosterNo = "R-7", institutionId = SchoolId, entries = new[] { new { citizenId = Enrolled, occupationCode = Programme.Ecommerce } } };

        var (first, firstBody) = await SendAsync(school, "/api/v1/campaigns/mx-directed/rosters", roster, "roster-7");
        var (retry, retryBody) = await SendAsync(school, "/api/v1/campaigns/mx-directed/rosters", roster, "roster-7");

        Assert.Equal(201, (int)first.StatusCode);
        AssertReplayOf(first, firstBody, retry, retryBody);
        await school.PostJsonAsync("/api/v1/campaigns/mx-directed/rosters", roster).ProblemAsync(409, "already-exists");
    }

    [Fact]
    public async Task A_retried_revocation_is_the_recorded_200_not_voucher_revoked()
    {
        var authority = world.As(Fujian);
        var code = world.EnrolledVoucher;
        await world.As(School).PostJsonAsync($"/api/v1/institutions/{SchoolId}/verification-rollbacks", new { voucherCode = code, reason = "Left the class" }).ExpectAsync(200);

        var (first, firstBody) = await SendAsync(authority, $"/api/v1/vouchers/{code}/revoke", new { reason = "Impersonated claim" }, "revoke-enrolled");
        var (retry, retryBody) = await SendAsync(authority, $"/api/v1/vouchers/{code}/revoke", new { reason = "Impersonated claim" }, "revoke-enrolled");

        Assert.Equal(200, (int)first.StatusCode);
        AssertReplayOf(first, firstBody, retry, retryBody);
        await authority.PostJsonAsync($"/api/v1/vouchers/{code}/revoke", new { reason = "Impersonated claim" }).ProblemAsync(409, "voucher-revoked");
    }

    [Fact]
    public async Task The_same_key_for_another_request_is_422_and_runs_nothing()
    {
        var authority = world.As(Fujian);
        await SendAsync(authority, "/api/v1/campaigns/mx-closable/close", new { reason = "Budget spent" }, "close-closable");
        var before = await world.SnapshotAsync();

        var (reused, _) = await SendAsync(authority, "/api/v1/campaigns/mx-openable/open", null, "close-closable");

        await Problem.AssertAsync(reused, 422, "idempotency-key-reused");
        Assert.Equal(before, await world.SnapshotAsync());
    }

    private static async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, string path, object? body, string key)
    {
        var response = await client.PostJsonAsync(path, body, key);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static void AssertReplayOf(HttpResponseMessage first, string firstBody, HttpResponseMessage retry, string retryBody)
    {
        Assert.False(first.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal(first.StatusCode, retry.StatusCode);
        Assert.Equal(firstBody, retryBody);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName)));
    }
}
