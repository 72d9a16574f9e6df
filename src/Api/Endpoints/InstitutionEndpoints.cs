using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints.Contracts;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/institutions/{institutionId}</c>: an institution's entry in the catalogue (R2) and its
/// sanctions (R3). The authorities over its region list it, record strikes, suspend, reinstate and
/// remove it; the institution reads its own entry.
/// </summary>
public static class InstitutionEndpoints
{
    /// <summary>The most occupations an institution is listed for.</summary>
    public const int MaxOccupations = 200;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapInstitutionEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/institutions/{institutionId}").WithTags("Institutions");
        group.MapPut("/", ListInstitution)
            .WithName("ListInstitution")
            .WithSummary("Lists an institution in the catalogue of its region, or updates its listing; lifts a removal (R2)")
            .RequireRoles(Roles.Authority)
            .WithRequestExample("""
                {"name":"福州市鼓楼区职业培训学校","regionCode":"350102","nature":"private","occupations":["4-10-01-02","4-01-02-02"],
                 "site":{"latitude":26.0745,"longitude":119.2965},"siteRadiusMetres":200,"address":"鼓楼区五四路 1 号",
                 "contactName":"林老师","contactPhone":"0591-87654321","onlinePlatform":false}
                """);
        group.MapGet("/", GetInstitution)
            .WithName("GetInstitution")
            .WithSummary("An institution's listing, status, strikes of this year and verification count")
            .RequireRoles(Roles.Authority, Roles.Institution)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/strikes", RecordStrike)
            .WithName("RecordStrike")
            .WithSummary("Records a strike (a lax eligibility review or a quality problem); the region's limit of one kind in a year suspends the institution (R3)")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        group.MapPost("/suspend", Suspend)
            .WithName("SuspendInstitution")
            .WithSummary("Suspends an institution until rectified: it can no longer verify or settle vouchers (R3)")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        group.MapPost("/reinstate", Reinstate)
            .WithName("ReinstateInstitution")
            .WithSummary("Reinstates a suspended institution once rectified; this year's strikes are cleared (R3)")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        group.MapPost("/remove", Remove)
            .WithName("RemoveInstitution")
            .WithSummary("Removes an institution from the catalogue for a violation (R3); listing it again lifts the removal")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        return api;
    }

    /// <summary>
    /// Lists or updates the institution. The authority must cover the listing's region and, for an
    /// institution listed already, its current region: no authority moves another's institution away.
    /// </summary>
    public static async Task<Results<Created<InstitutionResponse>, Ok<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> ListInstitution(
        string institutionId, InstitutionListingModel request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var listing = request.Validate(validation);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.CanActInRegion(listing!.RegionCode))
        {
            return ApiProblems.OutOfScope();
        }

        var institution = grains.GetGrain<IInstitutionGrain>(id!);
        var existing = await institution.GetAsync();
        if (existing is not null && !scope.CanActInRegion(existing.Listing.RegionCode))
        {
            return ApiProblems.OutOfScope("The institution is listed in a region outside the token's scope.");
        }

        var listed = await institution.ListAsync(listing);
        if (!listed.IsSuccess)
        {
            return ApiProblems.Rejection(listed);
        }

        var response = InstitutionResponse.From(listed.Value!);
        return existing is null ? TypedResults.Created($"/api/v1/institutions/{id}", response) : TypedResults.Ok(response);
    }

    /// <summary>Answers with the institution, to the authorities over its region and to itself.</summary>
    public static async Task<Results<Ok<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> GetInstitution(
        string institutionId, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsAuthority && !scope.IsInstitution(id))
        {
            return ApiProblems.OutOfScope();
        }

        var institution = await grains.GetGrain<IInstitutionGrain>(id!).GetAsync();
        if (institution is null)
        {
            return NotListed(id!);
        }

        return scope.IsInstitution(id) || scope.CanActInRegion(institution.Listing.RegionCode)
            ? TypedResults.Ok(InstitutionResponse.From(institution))
            : ApiProblems.OutOfScope();
    }

    /// <summary>Records a strike.</summary>
    public static async Task<Results<Created<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> RecordStrike(
        string institutionId, StrikeRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var kind = validation.Defined("kind", request.Kind);
        var reason = validation.Reason("reason", request.Reason);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var institution = grains.GetGrain<IInstitutionGrain>(id!);
        if (await AuthorityCheckAsync(institution, id!, scope) is { } refused)
        {
            return refused;
        }

        var recorded = await institution.RecordStrikeAsync(kind!.Value, reason!);
        return recorded.IsSuccess
            ? TypedResults.Created($"/api/v1/institutions/{id}", InstitutionResponse.From(recorded.Value!))
            : ApiProblems.Rejection(recorded);
    }

    /// <summary>Suspends the institution.</summary>
    public static Task<Results<Ok<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> Suspend(
        string institutionId, ReasonRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken) =>
        ChangeStatusAsync(institutionId, request, scope, grains, (institution, reason) => institution.SuspendAsync(reason));

    /// <summary>Reinstates the institution.</summary>
    public static Task<Results<Ok<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> Reinstate(
        string institutionId, ReasonRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken) =>
        ChangeStatusAsync(institutionId, request, scope, grains, (institution, reason) => institution.ReinstateAsync(reason));

    /// <summary>Removes the institution from the catalogue.</summary>
    public static Task<Results<Ok<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> Remove(
        string institutionId, ReasonRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken) =>
        ChangeStatusAsync(institutionId, request, scope, grains, (institution, reason) => institution.RemoveAsync(reason));

    /// <summary>
    /// Null when the caller is an authority over the institution's region; otherwise 404 for an
    /// institution never listed, or 403 <c>out-of-scope</c>.
    /// </summary>
    internal static async Task<ProblemHttpResult?> AuthorityCheckAsync(IInstitutionGrain institution, string id, AccessScope scope)
    {
        var view = await institution.GetAsync();
        if (view is null)
        {
            return NotListed(id);
        }

        return scope.CanActInRegion(view.Listing.RegionCode) ? null : ApiProblems.OutOfScope();
    }

    /// <summary>404 <c>institution-not-listed</c>.</summary>
    internal static ProblemHttpResult NotListed(string id) =>
        EndpointConventions.NotFound(RejectionCode.InstitutionNotListed, $"Institution {id} is not in the catalogue.");

    private static async Task<Results<Ok<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> ChangeStatusAsync(
        string institutionId, ReasonRequest request, AccessScope scope, IGrainFactory grains, Func<IInstitutionGrain, string, Task<Result>> change)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var reason = validation.Reason("reason", request.Reason);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var institution = grains.GetGrain<IInstitutionGrain>(id!);
        if (await AuthorityCheckAsync(institution, id!, scope) is { } refused)
        {
            return refused;
        }

        var changed = await change(institution, reason!);
        return changed.IsSuccess ? TypedResults.Ok(InstitutionResponse.From((await institution.GetAsync())!)) : ApiProblems.Rejection(changed);
    }

    /// <summary>A strike to record (R3, seed 002 四(四)).</summary>
    /// <param name="Kind"><c>laxEligibilityReview</c> or <c>qualityProblem</c>.</param>
    /// <param name="Reason">What happened, 1 to 500 characters.</param>
    public sealed record StrikeRequest(StrikeKind Kind, string Reason);

    /// <summary>An institution's catalogue entry (R2, seed 004 table 2).</summary>
    /// <param name="Name">Its name, at most 100 characters.</param>
    /// <param name="RegionCode">The region whose catalogue lists it.</param>
    /// <param name="Nature"><c>public</c>, <c>private</c> or <c>stateEnterprise</c>.</param>
    /// <param name="Occupations">The occupation codes it may train, at most 200.</param>
    /// <param name="Site">The training site for location check-in (R13); required unless it is an online platform.</param>
    /// <param name="SiteRadiusMetres">The radius around the site inside which a location check-in counts, 10 to 10,000 metres.</param>
    /// <param name="Address">Its address, at most 200 characters.</param>
    /// <param name="ContactName">The contact person, at most 50 characters.</param>
    /// <param name="ContactPhone">The contact phone: digits, spaces, '-', '+', '(' and ')', at most 30 characters.</param>
    /// <param name="OnlinePlatform">Whether it is an online training platform (线上培训平台).</param>
    public sealed record InstitutionListingModel(
        string Name,
        string RegionCode,
        InstitutionNature Nature,
        IReadOnlyList<string> Occupations,
        Position? Site = null,
        int SiteRadiusMetres = 200,
        string? Address = null,
        string? ContactName = null,
        string? ContactPhone = null,
        bool OnlinePlatform = false)
    {
        /// <summary>The model of a domain listing.</summary>
        public static InstitutionListingModel From(InstitutionListing listing)
        {
            ArgumentNullException.ThrowIfNull(listing);
            return new InstitutionListingModel(
                listing.Name, listing.RegionCode, listing.Nature, [.. listing.Occupations], Position.From(listing.Site), listing.SiteRadiusMetres,
                listing.Address, listing.ContactName, listing.ContactPhone, listing.OnlinePlatform);
        }

        /// <summary>Checks every field; the domain listing, or null.</summary>
        public InstitutionListing? Validate(RequestValidation validation)
        {
            ArgumentNullException.ThrowIfNull(validation);
            var before = validation.Errors.Count;
            var name = validation.Text("name", Name, 100);
            var region = validation.RegionCode("regionCode", RegionCode);
            validation.Defined("nature", Nature);
            var occupations = new List<string>();
            if (validation.Count("occupations", Occupations, 0, MaxOccupations) is { } listed)
            {
                for (var i = 0; i < listed.Count; i++)
                {
                    if (validation.OccupationCode($"occupations[{i}]", listed[i]) is { } code)
                    {
                        if (occupations.Contains(code))
                        {
                            validation.AddError($"occupations[{i}]", "Is listed twice.");
                        }

                        occupations.Add(code);
                    }
                }
            }

            var site = Site is null ? null : validation.Position("site", Site.Latitude, Site.Longitude, required: true);
            if (Site is null && !OnlinePlatform)
            {
                validation.AddError("site", "Is required unless the institution is an online platform: trainees check in by location (R13).");
            }

            validation.Range("siteRadiusMetres", SiteRadiusMetres, 10, 10_000);
            var address = validation.Text("address", Address, 200, required: false);
            var contact = validation.Text("contactName", ContactName, 50, required: false);
            var phone = validation.Text("contactPhone", ContactPhone, 30, required: false);
            if (phone is not null && !phone.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '+' or '(' or ')'))
            {
                validation.AddError("contactPhone", "Must be a phone number: digits, spaces, '-', '+', '(' and ')'.");
            }

            return validation.Errors.Count != before ? null : new InstitutionListing
            {
                Name = name!,
                RegionCode = region!,
                Nature = Nature,
                Occupations = occupations,
                Site = site,
                SiteRadiusMetres = SiteRadiusMetres,
                Address = address ?? "",
                ContactName = contact ?? "",
                ContactPhone = phone ?? "",
                OnlinePlatform = OnlinePlatform,
            };
        }
    }

    /// <summary>An institution as the catalogue shows it.</summary>
    /// <param name="Id">Its id.</param>
    /// <param name="Listing">Its listing.</param>
    /// <param name="Status"><c>active</c>, <c>suspended</c> or <c>removed</c>.</param>
    /// <param name="StatusReason">Why it was suspended, reinstated or removed.</param>
    /// <param name="Strikes">Its strikes of this year (since a reinstatement).</param>
    /// <param name="Verifications">Vouchers verified there, net of rollbacks.</param>
    public sealed record InstitutionResponse(
        string Id,
        InstitutionListingModel Listing,
        InstitutionStatus Status,
        string? StatusReason,
        IReadOnlyList<Strike> Strikes,
        long Verifications)
    {
        /// <summary>The response for a domain view.</summary>
        public static InstitutionResponse From(InstitutionView view)
        {
            ArgumentNullException.ThrowIfNull(view);
            return new InstitutionResponse(view.Id, InstitutionListingModel.From(view.Listing), view.Status, view.StatusReason, [.. view.Strikes], view.Verifications);
        }
    }
}
