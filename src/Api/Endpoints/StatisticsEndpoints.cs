using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// The dispatch indicators (R19): issued, claimed, used, completed, settled, expired and revoked counts,
/// claim and use rates, face-value and general shares, amounts and the evaluation rate — exact, folded
/// from the durable event streams — for the authorities over the campaign's or region's region, the
/// national authority over all (数据回流).
/// </summary>
public static class StatisticsEndpoints
{
    /// <summary>Maps the endpoints under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapStatisticsEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/campaigns/{campaignId}/statistics", GetCampaignStatistics)
            .WithName("GetCampaignStatistics")
            .WithTags("Statistics")
            .WithSummary("A campaign's indicators now (R19); with recount=true, recounted from the campaign's first event, for audit")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        api.MapGet("/regions/{regionCode}/statistics", GetRegionStatistics)
            .WithName("GetRegionStatistics")
            .WithTags("Statistics")
            .WithSummary("A region's indicators now: the sum over the campaigns the region created (R19)")
            .RequireRoles(Roles.Authority);
        return api;
    }

    /// <summary>Answers with the campaign's indicators, from the saved fold or, with <paramref name="recount"/>, recounted from the first event.</summary>
    public static async Task<Results<Ok<VoucherStatistics>, ValidationProblem, ProblemHttpResult>> GetCampaignStatistics(
        string campaignId, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken, bool recount = false)
    {
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (await CampaignEndpoints.AuthorityCheckAsync(grains.GetGrain<ICampaignGrain>(id!), id!, scope) is { } refused)
        {
            return refused;
        }

        var statistics = grains.GetGrain<ICampaignStatisticsGrain>(id!);
        return TypedResults.Ok(recount ? await statistics.RecountAsync() : await statistics.GetAsync());
    }

    /// <summary>Answers with the region's indicators.</summary>
    public static async Task<Results<Ok<VoucherStatistics>, ValidationProblem, ProblemHttpResult>> GetRegionStatistics(
        string regionCode, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.CanActInRegion(region))
        {
            return ApiProblems.OutOfScope();
        }

        return TypedResults.Ok(await grains.GetGrain<IRegionStatisticsGrain>(region!).GetAsync());
    }
}
