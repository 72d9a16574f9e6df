using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints.Contracts;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/regions/{regionCode}</c>: a region's policy settings, set by its authority (or one above
/// it), and what it has published — its campaigns and its institution catalogue (R2).
/// </summary>
public static class RegionEndpoints
{
    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapRegionEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/regions/{regionCode}").WithTags("Regions");
        group.MapPut("/policy", SetPolicy)
            .WithName("SetRegionPolicy")
            .WithSummary("Sets a region's policy: validity, yearly limits, one live voucher, attendance, online share, class lead time, strike limit; campaigns opened afterwards use it")
            .RequireRoles(Roles.Authority)
            .WithRequestExample("""
                {"validity":{"mode":"activateThenUse","activateWithinMonths":3,"useWithinMonths":6},"yearlyLimits":{"perOccupation":null,"perYear":1},
                 "oneLiveVoucher":false,"attendanceThresholdPercent":60,"onlineShareCapPercent":40,"classRegistrationLeadDays":0,"sanctionStrikeLimit":3}
                """);
        group.MapGet("/policy", GetPolicy)
            .WithName("GetRegionPolicy")
            .WithSummary("A region's own policy (a region without one uses its city's, then its province's)")
            .RequireRoles(Roles.Authority, Roles.Institution, Roles.Worker)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapGet("/campaigns", ListCampaigns)
            .WithName("ListRegionCampaigns")
            .WithSummary("The campaigns a region created; drafts only for the authorities over it")
            .RequireRoles(Roles.Authority, Roles.Institution, Roles.Worker);
        group.MapGet("/institutions", ListInstitutions)
            .WithName("ListRegionInstitutions")
            .WithSummary("The institutions a region listed in its catalogue (R2)")
            .RequireRoles(Roles.Authority, Roles.Institution, Roles.Worker);
        return api;
    }

    /// <summary>Sets the region's policy.</summary>
    public static async Task<Results<Ok<RegionPolicySettings>, ValidationProblem, ProblemHttpResult>> SetPolicy(
        string regionCode, RegionPolicySettings request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        var policy = request.Validate(validation, "");
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.CanActInRegion(region))
        {
            return ApiProblems.OutOfScope();
        }

        var set = await grains.GetGrain<IRegionGrain>(region!).SetPolicyAsync(policy!);
        return set.IsSuccess ? TypedResults.Ok(RegionPolicySettings.From(policy!)) : ApiProblems.Rejection(set);
    }

    /// <summary>Answers with the region's own policy, or 404 <c>region-policy-not-set</c>.</summary>
    public static async Task<Results<Ok<RegionPolicySettings>, ValidationProblem, ProblemHttpResult>> GetPolicy(
        string regionCode, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        return await grains.GetGrain<IRegionGrain>(region!).GetPolicyAsync() is { } policy
            ? TypedResults.Ok(RegionPolicySettings.From(policy))
            : EndpointConventions.NotFound(RejectionCode.RegionPolicyNotSet, $"Region {region} has no policy of its own.");
    }

    /// <summary>Answers with the region's campaigns; callers other than the authorities over the region see no drafts.</summary>
    public static async Task<Results<Ok<IReadOnlyList<CampaignSummary>>, ValidationProblem>> ListCampaigns(
        string regionCode, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var ids = await grains.GetGrain<IRegionGrain>(region!).ListCampaignsAsync();
        var campaigns = await Task.WhenAll(ids.Select(id => grains.GetGrain<ICampaignGrain>(id).GetAsync()));
        var seesDrafts = scope.CanActInRegion(region);
        IReadOnlyList<CampaignSummary> visible =
        [
            .. campaigns.OfType<CampaignView>()
                .Where(c => seesDrafts || c.Status != CampaignStatus.Draft)
                .Select(c => new CampaignSummary(
                    c.Id, c.Definition.Name, c.Status, c.Definition.ValueMode, c.Definition.IssuanceMode, c.Definition.OccupationCode, c.Definition.ClaimOpensAt, c.Definition.ClaimClosesAt)),
        ];
        return TypedResults.Ok(visible);
    }

    /// <summary>Answers with the institutions the region listed.</summary>
    public static async Task<Results<Ok<IReadOnlyList<InstitutionSummary>>, ValidationProblem>> ListInstitutions(
        string regionCode, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var ids = await grains.GetGrain<IRegionGrain>(region!).ListInstitutionsAsync();
        var institutions = await Task.WhenAll(ids.Select(id => grains.GetGrain<IInstitutionGrain>(id).GetAsync()));
        IReadOnlyList<InstitutionSummary> listed =
        [
            .. institutions.OfType<InstitutionView>()
                .Where(i => i.Listing.RegionCode == region)
                .Select(i => new InstitutionSummary(i.Id, i.Listing.Name, i.Status, i.Listing.Nature, i.Listing.OnlinePlatform, i.Listing.Address, [.. i.Listing.Occupations])),
        ];
        return TypedResults.Ok(listed);
    }

    /// <summary>A campaign as a list shows it.</summary>
    /// <param name="Id">Its id.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Status"><c>draft</c>, <c>open</c> or <c>closed</c>.</param>
    /// <param name="ValueMode"><c>faceValue</c>, <c>credit</c> or <c>checkInOnly</c>.</param>
    /// <param name="IssuanceMode"><c>general</c> or <c>directed</c>.</param>
    /// <param name="OccupationCode">The occupation its vouchers are for, if one.</param>
    /// <param name="ClaimOpensAt">When claiming opens.</param>
    /// <param name="ClaimClosesAt">When claiming closes.</param>
    public sealed record CampaignSummary(
        string Id,
        string Name,
        CampaignStatus Status,
        ValueMode ValueMode,
        IssuanceMode IssuanceMode,
        string? OccupationCode,
        DateTimeOffset ClaimOpensAt,
        DateTimeOffset ClaimClosesAt);

    /// <summary>An institution as the region's catalogue lists it.</summary>
    /// <param name="Id">Its id.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Status"><c>active</c>, <c>suspended</c> or <c>removed</c>.</param>
    /// <param name="Nature"><c>public</c>, <c>private</c> or <c>stateEnterprise</c>.</param>
    /// <param name="OnlinePlatform">Whether it is an online training platform.</param>
    /// <param name="Address">Its address.</param>
    /// <param name="Occupations">The occupations it may train.</param>
    public sealed record InstitutionSummary(
        string Id,
        string Name,
        InstitutionStatus Status,
        InstitutionNature Nature,
        bool OnlinePlatform,
        string Address,
        IReadOnlyList<string> Occupations);
}
