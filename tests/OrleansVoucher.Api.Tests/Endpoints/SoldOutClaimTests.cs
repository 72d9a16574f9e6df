using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Claims over HTTP around the two things a claim no longer asks the campaign for each time: which
/// issuer serves it (known once the campaign has left draft) and whether stock is left (known from the
/// issuer's allocation). Clients are told what they were told before.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SoldOutClaimTests(VoucherEngine engine) : IClassFixture<VoucherEngine>
{
    private const string Fujian = "350000";
    private const string Gulou = "350102";

    [Fact]
    public async Task A_draft_campaign_is_not_found_by_claims_until_it_opens_and_then_serves_them()
    {
        var programme = new Programme(engine);
        await programme.RegionAsync(Fujian, Programme.FujianPolicy);
        await programme.CampaignAsync("so-draft", Fujian, programme.General(Fujian), open: false);
        var worker = await programme.WorkerAsync(Caller.CitizenId(Gulou, 11), Gulou);
        var claims = engine.As(Caller.Worker(worker));

        await claims.PostJsonAsync("/api/v1/campaigns/so-draft/claims", new { citizenId = worker }).ProblemAsync(404, "campaign-not-found");
        await claims.PostJsonAsync("/api/v1/campaigns/so-draft/claims", new { citizenId = worker }).ProblemAsync(404, "campaign-not-found");
        await engine.As(Caller.Authority(Fujian)).PostJsonAsync("/api/v1/campaigns/so-draft/open").ExpectAsync(200);

        await claims.PostJsonAsync("/api/v1/campaigns/so-draft/claims", new { citizenId = worker }).ExpectAsync(201);
        await engine.As(Caller.Authority(Fujian)).PostJsonAsync("/api/v1/campaigns/so-draft/close", new { reason = "Funds reallocated" }).ExpectAsync(200);
        var late = await programme.WorkerAsync(Caller.CitizenId(Gulou, 12), Gulou);
        await engine.As(Caller.Worker(late)).PostJsonAsync("/api/v1/campaigns/so-draft/claims", new { citizenId = late }).ProblemAsync(409, "campaign-not-open");
    }

    [Fact]
    public async Task After_the_sell_out_a_holder_gets_its_voucher_again_by_key_and_is_told_of_it_without_one()
    {
        var programme = new Programme(engine);
        await programme.RegionAsync(Fujian, Programme.FujianPolicy);
        await programme.CampaignAsync("so-two", Fujian, programme.General(Fujian, quantity: 2));
        var holder = await programme.WorkerAsync(Caller.CitizenId(Gulou, 21), Gulou);
        var other = await programme.WorkerAsync(Caller.CitizenId(Gulou, 22), Gulou);
        var late = await programme.WorkerAsync(Caller.CitizenId(Gulou, 23), Gulou);
        var claims = engine.As(Caller.Worker(holder));
        var first = await claims.PostJsonAsync("/api/v1/campaigns/so-two/claims", new { citizenId = holder }, "so-two-holder");
        var code = (await Task.FromResult(first).ExpectAsync(201)).Str("voucherCode");
        await programme.ClaimAsync("so-two", other);

        await engine.As(Caller.Worker(late)).PostJsonAsync("/api/v1/campaigns/so-two/claims", new { citizenId = late }).ProblemAsync(409, "stock-exhausted");

        var retried = await claims.PostJsonAsync("/api/v1/campaigns/so-two/claims", new { citizenId = holder }, "so-two-holder");
        Assert.Equal(code, (await Task.FromResult(retried).ExpectAsync(201)).Str("voucherCode"));
        Assert.Equal("true", Assert.Single(retried.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName)));
        var again = await claims.PostJsonAsync("/api/v1/campaigns/so-two/claims", new { citizenId = holder }).ProblemAsync(409, "live-voucher-held");
        Assert.Contains(code, again.Str("detail"), StringComparison.Ordinal);
    }
}
