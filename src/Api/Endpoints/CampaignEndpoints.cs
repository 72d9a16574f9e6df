using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints.Contracts;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/campaigns/{campaignId}</c>: campaigns (制券, R4–R6): the authorities over the issuing region
/// design a campaign as a draft, open it (fixing the policy its vouchers are issued under) and close it.
/// Open and closed campaigns are public: every authority, institution and worker may read them; a draft
/// only the authorities over its region.
/// </summary>
public static class CampaignEndpoints
{
    /// <summary>The largest quantity cap.</summary>
    public const int MaxQuantity = 100_000_000;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/campaigns/{campaignId}").WithTags("Campaigns");
        group.MapPut("/", PutCampaign)
            .WithName("PutCampaign")
            .WithSummary("Creates a campaign as a draft (201), or changes a draft (200); an open or closed campaign no longer changes (R4–R6)")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status409Conflict)
            .WithRequestExample("""
                {"name":"2026 年福州市职业培训券（通用）","regionCode":"350100","valueMode":"faceValue","issuanceMode":"general","tier":"basic",
                 "faceValueFen":50000,"quantityCap":10000,"budgetCapFen":500000000,"claimOpensAt":"2026-03-01T00:00:00+08:00",
                 "claimClosesAt":"2026-12-31T00:00:00+08:00","catalogueYear":2026,
                 "eligibility":{"minLocalInsuranceMonths":null,"excludedCategories":["CivilServant"],"targetCategories":[],"requireLocalResidence":false}}
                """);
        group.MapGet("/", GetCampaign)
            .WithName("GetCampaign")
            .WithSummary("A campaign: its design, status, the policy its vouchers are issued under, and the stock handed to its issuers")
            .RequireRoles(Roles.Authority, Roles.Institution, Roles.Worker)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/open", OpenCampaign)
            .WithName("OpenCampaign")
            .WithSummary("Opens a draft campaign, fixing the policy its vouchers are issued under (the region's, or the campaign's override)")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        group.MapPost("/close", CloseCampaign)
            .WithName("CloseCampaign")
            .WithSummary("Closes a campaign: no more claims or issuance; vouchers already issued run their course")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        return api;
    }

    /// <summary>Creates or changes a draft. The authority must cover the campaign's region.</summary>
    public static async Task<Results<Created<CampaignResponse>, Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> PutCampaign(
        string campaignId, CampaignModel request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var definition = request.Validate(validation);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.CanActInRegion(definition!.RegionCode))
        {
            return ApiProblems.OutOfScope();
        }

        var campaign = grains.GetGrain<ICampaignGrain>(id!);
        var existing = await campaign.GetAsync();
        if (existing is null)
        {
            var created = await campaign.CreateAsync(definition);
            return created.IsSuccess
                ? TypedResults.Created($"/api/v1/campaigns/{id}", CampaignResponse.From(created.Value!))
                : ApiProblems.Rejection(created);
        }

        if (!scope.CanActInRegion(existing.Definition.RegionCode))
        {
            return ApiProblems.OutOfScope("The campaign belongs to a region outside the token's scope.");
        }

        var updated = await campaign.UpdateAsync(definition);
        return updated.IsSuccess ? TypedResults.Ok(CampaignResponse.From(updated.Value!)) : ApiProblems.Rejection(updated);
    }

    /// <summary>Answers with the campaign; a draft is not found but by the authorities over its region.</summary>
    public static async Task<Results<Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> GetCampaign(
        string campaignId, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var campaign = await grains.GetGrain<ICampaignGrain>(id!).GetAsync();
        return campaign is null || (campaign.Status == CampaignStatus.Draft && !scope.CanActInRegion(campaign.Definition.RegionCode))
            ? NotFound(id!)
            : TypedResults.Ok(CampaignResponse.From(campaign));
    }

    /// <summary>Opens the campaign.</summary>
    public static async Task<Results<Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> OpenCampaign(
        string campaignId, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var campaign = grains.GetGrain<ICampaignGrain>(id!);
        if (await AuthorityCheckAsync(campaign, id!, scope) is { } refused)
        {
            return refused;
        }

        var opened = await campaign.OpenAsync();
        return opened.IsSuccess ? TypedResults.Ok(CampaignResponse.From(opened.Value!)) : ApiProblems.Rejection(opened);
    }

    /// <summary>Closes the campaign.</summary>
    public static async Task<Results<Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> CloseCampaign(
        string campaignId, ReasonRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var reason = validation.Reason("reason", request.Reason);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var campaign = grains.GetGrain<ICampaignGrain>(id!);
        if (await AuthorityCheckAsync(campaign, id!, scope) is { } refused)
        {
            return refused;
        }

        var closed = await campaign.CloseAsync(reason!);
        return closed.IsSuccess ? TypedResults.Ok(CampaignResponse.From(closed.Value!)) : ApiProblems.Rejection(closed);
    }

    /// <summary>
    /// The campaign when the caller is an authority over its region; otherwise 404 for a campaign that
    /// does not exist, or 403 <c>out-of-scope</c>.
    /// </summary>
    internal static async Task<ProblemHttpResult?> AuthorityCheckAsync(ICampaignGrain campaign, string id, AccessScope scope)
    {
        var view = await campaign.GetAsync();
        if (view is null)
        {
            return NotFound(id);
        }

        return scope.CanActInRegion(view.Definition.RegionCode) ? null : ApiProblems.OutOfScope();
    }

    /// <summary>404 <c>campaign-not-found</c>.</summary>
    internal static ProblemHttpResult NotFound(string id) =>
        EndpointConventions.NotFound(RejectionCode.CampaignNotFound, $"No campaign {id}.");

    /// <summary>A campaign's design (R4–R6).</summary>
    /// <param name="Name">Its name, at most 200 characters.</param>
    /// <param name="RegionCode">The issuing authority's region.</param>
    /// <param name="ValueMode"><c>faceValue</c> (面值券), <c>credit</c> (抵用券) or <c>checkInOnly</c> (Shanghai's attendance-only voucher).</param>
    /// <param name="IssuanceMode"><c>general</c> (通用券, claimed by eligible workers) or <c>directed</c> (定向券, issued through approved rosters).</param>
    /// <param name="Tier"><c>basic</c> (普及型) or <c>advanced</c> (提升型).</param>
    /// <param name="QuantityCap">The most vouchers it issues, 1 to 100,000,000 (R5).</param>
    /// <param name="BudgetCapFen">The most face value (or credit reserve) it issues, in fen (R5).</param>
    /// <param name="ClaimOpensAt">When claiming (or directed issuance) opens.</param>
    /// <param name="ClaimClosesAt">When claiming (or directed issuance) closes; after it opens.</param>
    /// <param name="CatalogueYear">The year of the region's occupation catalogue that sets subsidy standards.</param>
    /// <param name="Level">The skill level the vouchers are for, or null for any.</param>
    /// <param name="OccupationCode">The occupation the vouchers are for, or null (a general voucher may name none).</param>
    /// <param name="FaceValueFen">A face-value voucher's face value, in fen.</param>
    /// <param name="FaceValuesByLevel">Face values by skill level, when they differ: a claim names its level.</param>
    /// <param name="CreditReserveFen">A credit voucher's reserve from the budget, which also caps its subsidy, in fen.</param>
    /// <param name="Eligibility">Who may receive the vouchers (R6); anyone when left out.</param>
    /// <param name="SubsidyRatioPercent">The share of the standard paid, 1 to 200 percent, before group uplifts (R16).</param>
    /// <param name="IssuerCount">How many issuers share the claims, 1 to 256: one is exact to the last voucher; more multiply throughput.</param>
    /// <param name="PolicyOverride">Settings that replace the region's policy for this campaign.</param>
    public sealed record CampaignModel(
        string Name,
        string RegionCode,
        ValueMode ValueMode,
        IssuanceMode IssuanceMode,
        Tier Tier,
        int QuantityCap,
        long BudgetCapFen,
        DateTimeOffset ClaimOpensAt,
        DateTimeOffset ClaimClosesAt,
        int CatalogueYear,
        SkillLevel? Level = null,
        string? OccupationCode = null,
        long FaceValueFen = 0,
        IReadOnlyList<LevelFaceValue>? FaceValuesByLevel = null,
        long CreditReserveFen = 0,
        EligibilityRules? Eligibility = null,
        int SubsidyRatioPercent = 100,
        int IssuerCount = 1,
        RegionPolicySettings? PolicyOverride = null)
    {
        /// <summary>The model of a domain definition.</summary>
        public static CampaignModel From(CampaignDefinition definition)
        {
            ArgumentNullException.ThrowIfNull(definition);
            return new CampaignModel(
                definition.Name, definition.RegionCode, definition.ValueMode, definition.IssuanceMode, definition.Tier, definition.QuantityCap,
                definition.BudgetCapFen, definition.ClaimOpensAt, definition.ClaimClosesAt, definition.CatalogueYear, definition.Level,
                definition.OccupationCode, definition.FaceValueFen, [.. definition.FaceValuesByLevel], definition.CreditReserveFen, definition.Eligibility,
                definition.SubsidyRatioPercent, definition.IssuerCount, definition.PolicyOverride is { } policy ? RegionPolicySettings.From(policy) : null);
        }

        /// <summary>Checks every field; the domain definition, or null.</summary>
        public CampaignDefinition? Validate(RequestValidation validation)
        {
            ArgumentNullException.ThrowIfNull(validation);
            var before = validation.Errors.Count;
            var name = validation.Text("name", Name);
            var region = validation.RegionCode("regionCode", RegionCode);
            var valueMode = validation.Defined("valueMode", ValueMode);
            validation.Defined("issuanceMode", IssuanceMode);
            validation.Defined("tier", Tier);
            validation.DefinedOrNull("level", Level);
            var occupation = OccupationCode is null ? null : validation.OccupationCode("occupationCode", OccupationCode);
            validation.Range("quantityCap", QuantityCap, 1, MaxQuantity);
            validation.Fen("budgetCapFen", BudgetCapFen);
            validation.Fen("faceValueFen", FaceValueFen);
            validation.Fen("creditReserveFen", CreditReserveFen);
            if (validation.Count("faceValuesByLevel", FaceValuesByLevel, 0, 5) is { } byLevel)
            {
                for (var i = 0; i < byLevel.Count; i++)
                {
                    validation.Defined($"faceValuesByLevel[{i}].level", byLevel[i].Level);
                    if (validation.Fen($"faceValuesByLevel[{i}].faceValueFen", byLevel[i].FaceValueFen) is 0)
                    {
                        validation.AddError($"faceValuesByLevel[{i}].faceValueFen", "Must be positive.");
                    }
                }

                if (byLevel.GroupBy(f => f.Level).Any(g => g.Count() > 1))
                {
                    validation.AddError("faceValuesByLevel", "Lists a level twice.");
                }
            }

            if (valueMode == Grains.Vouchers.ValueMode.FaceValue && FaceValueFen <= 0 && (FaceValuesByLevel?.Count ?? 0) == 0)
            {
                validation.AddError("faceValueFen", "A face-value campaign needs a positive face value, or face values by level.");
            }

            if (valueMode == Grains.Vouchers.ValueMode.Credit && CreditReserveFen <= 0)
            {
                validation.AddError("creditReserveFen", "A credit campaign needs a positive reserve per voucher.");
            }

            validation.Instant("claimOpensAt", ClaimOpensAt);
            validation.Instant("claimClosesAt", ClaimClosesAt);
            if (ClaimClosesAt <= ClaimOpensAt)
            {
                validation.AddError("claimClosesAt", "Must be after claimOpensAt.");
            }

            validation.Year("catalogueYear", CatalogueYear);
            validation.Range("subsidyRatioPercent", SubsidyRatioPercent, 1, 200);
            validation.Range("issuerCount", IssuerCount, 1, 256);
            var eligibility = ValidateEligibility(validation, Eligibility);
            var policy = PolicyOverride?.Validate(validation, "policyOverride.");
            if (validation.Errors.Count != before)
            {
                return null;
            }

            return new CampaignDefinition
            {
                Name = name!,
                RegionCode = region!,
                ValueMode = ValueMode,
                IssuanceMode = IssuanceMode,
                Tier = Tier,
                Level = Level,
                OccupationCode = occupation,
                FaceValueFen = FaceValueFen,
                FaceValuesByLevel = [.. FaceValuesByLevel ?? []],
                CreditReserveFen = CreditReserveFen,
                QuantityCap = QuantityCap,
                BudgetCapFen = BudgetCapFen,
                Eligibility = eligibility ?? EligibilityRules.Anyone,
                ClaimOpensAt = ClaimOpensAt,
                ClaimClosesAt = ClaimClosesAt,
                CatalogueYear = CatalogueYear,
                SubsidyRatioPercent = SubsidyRatioPercent,
                IssuerCount = IssuerCount,
                PolicyOverride = policy,
            };
        }

        // The rules with their categories trimmed, as checked: a category is compared with the workers' exactly.
        private static EligibilityRules? ValidateEligibility(RequestValidation validation, EligibilityRules? rules)
        {
            if (rules is null)
            {
                return null;
            }

            if (rules.MinLocalInsuranceMonths is { } months)
            {
                validation.Range("eligibility.minLocalInsuranceMonths", months, 0, 600);
            }

            var excluded = validation.Categories("eligibility.excludedCategories", rules.ExcludedCategories, 20);
            var targeted = validation.Categories("eligibility.targetCategories", rules.TargetCategories, 20);
            if (rules.MinAge is { } minAge)
            {
                validation.Range("eligibility.minAge", minAge, 0, 120);
            }

            if (rules.MaxAge is { } maxAge)
            {
                validation.Range("eligibility.maxAge", maxAge, 0, 120);
            }

            if (rules.MinAge > rules.MaxAge)
            {
                validation.AddError("eligibility.maxAge", "Must not be below minAge.");
            }

            return rules with { ExcludedCategories = excluded, TargetCategories = targeted };
        }
    }

    /// <summary>A campaign with its stock.</summary>
    /// <param name="Id">Its id.</param>
    /// <param name="Campaign">Its design.</param>
    /// <param name="Status"><c>draft</c>, <c>open</c> or <c>closed</c>.</param>
    /// <param name="Policy">The policy its vouchers are issued under, fixed when it opened.</param>
    /// <param name="AllocatedQuantity">Vouchers handed to its issuers so far (an upper bound of those issued).</param>
    /// <param name="AllocatedBudgetFen">Budget handed to its issuers so far, in fen.</param>
    /// <param name="OpenedAt">When it opened.</param>
    /// <param name="ClosedAt">When it closed.</param>
    public sealed record CampaignResponse(
        string Id,
        CampaignModel Campaign,
        CampaignStatus Status,
        RegionPolicySettings? Policy,
        int AllocatedQuantity,
        long AllocatedBudgetFen,
        DateTimeOffset? OpenedAt,
        DateTimeOffset? ClosedAt)
    {
        /// <summary>The response for a domain view.</summary>
        public static CampaignResponse From(CampaignView view)
        {
            ArgumentNullException.ThrowIfNull(view);
            return new CampaignResponse(
                view.Id, CampaignModel.From(view.Definition), view.Status, view.Policy is { } policy ? RegionPolicySettings.From(policy) : null,
                view.AllocatedQuantity, view.AllocatedBudgetFen, view.OpenedAt, view.ClosedAt);
        }
    }
}
