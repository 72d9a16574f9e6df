using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.RateLimiting;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// Claims (领券, R8): a worker claims a general voucher from a campaign's stock, or the directed voucher
/// an approved roster issued to them — each only for itself, after the real-name verification its
/// channel (the social-security card app) has done, which the token attests.
/// </summary>
public static class ClaimEndpoints
{
    /// <summary>Maps the endpoints under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapClaimEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/campaigns/{campaignId}/claims", ClaimGeneralVoucher)
            .WithName("ClaimGeneralVoucher")
            .WithTags("Claims")
            .WithSummary("A worker claims a general voucher: the campaign is open and in its window, the worker eligible (R6) and holding no live voucher where the policy says so (R7), stock and budget remain (R5)")
            .RequireRoles(Roles.Worker)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"citizenId":"350102199001011238","level":null}""");
        api.MapPost("/vouchers/{voucherCode}/claim", ClaimDirectedVoucher)
            .WithName("ClaimDirectedVoucher")
            .WithTags("Claims")
            .WithSummary("A worker claims the directed voucher issued to them on an approved roster: only its named holder, once, before its deadline (R8)")
            .RequireRoles(Roles.Worker)
            .RequireRateLimiting(RateLimitPolicies.Verification)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"citizenId":"330602199203150021"}""");
        return api;
    }

    /// <summary>Claims a general voucher for the calling worker.</summary>
    public static async Task<Results<Created<ClaimReceipt>, ValidationProblem, ProblemHttpResult>> ClaimGeneralVoucher(
        string campaignId, ClaimVoucherRequest request, AccessScope scope, IGrainFactory grains, CampaignIssuerCounts issuerCounts, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(issuerCounts);
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var citizenId = validation.CitizenId("citizenId", request.CitizenId, ChinaTime.DateOf(time.GetUtcNow()));
        validation.DefinedOrNull("level", request.Level);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsWorker(citizenId))
        {
            return ApiProblems.OutOfScope();
        }

        if (await issuerCounts.IssuerCountAsync(id!) is not { } issuerCount)
        {
            return CampaignEndpoints.NotFound(id!);
        }

        var issuer = grains.GetGrain<ICampaignIssuerGrain>(CampaignIssuers.KeyFor(id!, citizenId!, issuerCount));
        var claimed = await issuer.ClaimAsync(new ClaimRequest(citizenId!, request.Level));
        return claimed.IsSuccess
            ? TypedResults.Created($"/api/v1/vouchers/{claimed.Value!.VoucherCode}", claimed.Value)
            : ApiProblems.Rejection(claimed);
    }

    /// <summary>Claims a directed voucher for the calling worker.</summary>
    public static async Task<Results<Ok<VoucherView>, ValidationProblem, ProblemHttpResult>> ClaimDirectedVoucher(
        string voucherCode, DirectedClaimRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var code = validation.VoucherCode("voucherCode", voucherCode);
        var citizenId = validation.CitizenId("citizenId", request.CitizenId, ChinaTime.DateOf(time.GetUtcNow()));
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsWorker(citizenId))
        {
            return ApiProblems.OutOfScope();
        }

        var claimed = await grains.GetGrain<IVoucherGrain>(code!).ClaimAsync(citizenId!);
        return claimed.IsSuccess ? TypedResults.Ok(claimed.Value!) : ApiProblems.Rejection(claimed);
    }

    /// <summary>A claim of a general voucher.</summary>
    /// <param name="CitizenId">The claimant: the caller's own citizen id.</param>
    /// <param name="Level">The skill level claimed for, when the campaign's face values differ by level.</param>
    public sealed record ClaimVoucherRequest(string CitizenId, SkillLevel? Level = null);

    /// <summary>A claim of a directed voucher.</summary>
    /// <param name="CitizenId">The claimant: the caller's own citizen id, which must be the voucher's named holder.</param>
    public sealed record DirectedClaimRequest(string CitizenId);
}
