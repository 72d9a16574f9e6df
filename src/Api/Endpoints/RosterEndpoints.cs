using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints.Contracts;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/campaigns/{campaignId}/rosters</c>: directed issuance (定向券, R4, seed 002 二(二)(三)). An
/// institution submits the roster of its enrolled trainees as JSON; the authorities over the campaign's
/// region approve it — issuing a voucher bound to each named worker and occupation — or reject it.
/// Approval is resumable: approving again issues to the entries not yet done.
/// </summary>
public static class RosterEndpoints
{
    /// <summary>The most entries of a roster submitted as JSON (well within the body limit, <see cref="RequestLimitsOptions.MaxBulkBodyBytes"/>).</summary>
    public const int MaxEntries = 1000;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapRosterEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var maxBody = api.ServiceProvider.GetRequiredService<IOptions<RequestLimitsOptions>>().Value.MaxBulkBodyBytes;
        var group = api.MapGroup("/campaigns/{campaignId}/rosters").WithTags("Rosters");
        group.MapPost("/", SubmitRoster)
            .WithName("SubmitRoster")
            .WithSummary("An institution submits the roster of its enrolled trainees for a directed campaign; it must be listed, active and allowed each occupation")
            .RequireRoles(Roles.Institution)
            .WithRequestBodyLimit(maxBody)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""
                {"rosterNo":"R-2026-001","institutionId":"SXZJ0001","entries":[{"citizenId":"330602199203150021","occupationCode":"6-31-01-03","level":"elementary"}]}
                """);
        group.MapGet("/{rosterNo}", GetRoster)
            .WithName("GetRoster")
            .WithSummary("A roster: its entries, status and, once approved, each entry's voucher or the reason none was issued")
            .RequireRoles(Roles.Institution, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/{rosterNo}/approve", ApproveRoster)
            .WithName("ApproveRoster")
            .WithSummary("Approves a roster and issues a voucher to each entry; entries that cannot be issued are reported with their reason; approving again resumes")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        group.MapPost("/{rosterNo}/reject", RejectRoster)
            .WithName("RejectRoster")
            .WithSummary("Rejects a roster with a reason")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        return api;
    }

    /// <summary>Submits a roster of the calling institution.</summary>
    public static async Task<Results<Created<RosterResponse>, ValidationProblem, ProblemHttpResult>> SubmitRoster(
        string campaignId, SubmitRosterRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var rosterNo = validation.Code("rosterNo", request.RosterNo);
        var institution = validation.InstitutionId("institutionId", request.InstitutionId);
        var entries = new List<RosterEntry>();
        if (validation.Count("entries", request.Entries, 1, MaxEntries) is { } listed)
        {
            var today = ChinaTime.DateOf(time.GetUtcNow());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < listed.Count; i++)
            {
                var citizenId = validation.CitizenId($"entries[{i}].citizenId", listed[i].CitizenId, today);
                var occupation = validation.OccupationCode($"entries[{i}].occupationCode", listed[i].OccupationCode);
                validation.DefinedOrNull($"entries[{i}].level", listed[i].Level);
                if (citizenId is not null && !seen.Add(citizenId))
                {
                    validation.AddError($"entries[{i}].citizenId", "Is listed twice.");
                }

                if (citizenId is not null && occupation is not null)
                {
                    entries.Add(new RosterEntry(citizenId, occupation, listed[i].Level));
                }
            }
        }

        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsInstitution(institution))
        {
            return ApiProblems.OutOfScope();
        }

        var submitted = await grains.GetGrain<IRosterGrain>(KeyOf(id!, rosterNo!)).SubmitAsync(new RosterSubmission(institution!, entries));
        return submitted.IsSuccess
            ? TypedResults.Created($"/api/v1/campaigns/{id}/rosters/{rosterNo}", RosterResponse.From(submitted.Value!))
            : ApiProblems.Rejection(submitted);
    }

    /// <summary>Answers with the roster, to its institution and the authorities over the campaign's region.</summary>
    public static async Task<Results<Ok<RosterResponse>, ValidationProblem, ProblemHttpResult>> GetRoster(
        string campaignId, string rosterNo, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var number = validation.Code("rosterNo", rosterNo);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var roster = await grains.GetGrain<IRosterGrain>(KeyOf(id!, number!)).GetAsync();
        if (roster is null)
        {
            return NotFound(id!, number!);
        }

        return scope.IsInstitution(roster.InstitutionId) || await CoversCampaignAsync(scope, grains, id!)
            ? TypedResults.Ok(RosterResponse.From(roster))
            : ApiProblems.OutOfScope();
    }

    /// <summary>Approves the roster.</summary>
    public static Task<Results<Ok<RosterResponse>, ValidationProblem, ProblemHttpResult>> ApproveRoster(
        string campaignId, string rosterNo, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken) =>
        DecideAsync(campaignId, rosterNo, null, scope, grains, roster => roster.ApproveAsync());

    /// <summary>Rejects the roster.</summary>
    public static Task<Results<Ok<RosterResponse>, ValidationProblem, ProblemHttpResult>> RejectRoster(
        string campaignId, string rosterNo, ReasonRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DecideAsync(campaignId, rosterNo, request, scope, grains, roster => roster.RejectAsync(request.Reason.Trim()));
    }

    private static async Task<Results<Ok<RosterResponse>, ValidationProblem, ProblemHttpResult>> DecideAsync(
        string campaignId, string rosterNo, ReasonRequest? reason, AccessScope scope, IGrainFactory grains, Func<IRosterGrain, Task<Result<RosterView>>> decide)
    {
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var number = validation.Code("rosterNo", rosterNo);
        if (reason is not null)
        {
            validation.Reason("reason", reason.Reason);
        }

        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var campaign = grains.GetGrain<ICampaignGrain>(id!);
        if (await CampaignEndpoints.AuthorityCheckAsync(campaign, id!, scope) is { } refused)
        {
            return refused;
        }

        var roster = grains.GetGrain<IRosterGrain>(KeyOf(id!, number!));
        if (await roster.GetAsync() is null)
        {
            return NotFound(id!, number!);
        }

        var decided = await decide(roster);
        return decided.IsSuccess ? TypedResults.Ok(RosterResponse.From(decided.Value!)) : ApiProblems.Rejection(decided);
    }

    private static async Task<bool> CoversCampaignAsync(AccessScope scope, IGrainFactory grains, string campaignId) =>
        scope.IsAuthority && await grains.GetGrain<ICampaignGrain>(campaignId).GetAsync() is { } campaign
        && scope.CanActInRegion(campaign.Definition.RegionCode);

    private static string KeyOf(string campaignId, string rosterNo) => $"{campaignId}/{rosterNo}";

    private static ProblemHttpResult NotFound(string campaignId, string rosterNo) =>
        EndpointConventions.NotFound(RejectionCode.RosterNotFound, $"Campaign {campaignId} has no roster {rosterNo}.");

    /// <summary>A roster of enrolled trainees.</summary>
    /// <param name="RosterNo">The roster's number within the campaign: 1 to 32 letters, digits and '-'.</param>
    /// <param name="InstitutionId">The submitting institution: the caller itself.</param>
    /// <param name="Entries">1 to 1,000 trainees, each listed once, with the occupation (and level) the voucher is bound to.</param>
    public sealed record SubmitRosterRequest(string RosterNo, string InstitutionId, IReadOnlyList<RosterEntry> Entries);

    /// <summary>A roster.</summary>
    /// <param name="CampaignId">The directed campaign.</param>
    /// <param name="RosterNo">Its number within the campaign.</param>
    /// <param name="InstitutionId">The submitting institution.</param>
    /// <param name="Status"><c>submitted</c>, <c>approved</c> or <c>rejected</c>.</param>
    /// <param name="Entries">The trainees.</param>
    /// <param name="Outcomes">Once approved, what issuing to each entry gave.</param>
    /// <param name="Reason">Why it was rejected.</param>
    public sealed record RosterResponse(
        string CampaignId,
        string RosterNo,
        string InstitutionId,
        RosterStatus Status,
        IReadOnlyList<RosterEntry> Entries,
        IReadOnlyList<RosterOutcome> Outcomes,
        string? Reason)
    {
        /// <summary>The response for a domain view.</summary>
        public static RosterResponse From(RosterView view)
        {
            ArgumentNullException.ThrowIfNull(view);
            return new RosterResponse(
                view.CampaignId,
                view.Id[(view.CampaignId.Length + 1)..],
                view.InstitutionId,
                view.Status,
                [.. view.Entries],
                [.. view.Outcomes.Select(o => new RosterOutcome(o.Entry.CitizenId, o.Entry.OccupationCode, o.Entry.Level, o.VoucherCode, o.Rejection is { } code ? ProblemCodes.Of(code) : null, o.Detail))],
                view.Reason);
        }
    }

    /// <summary>What issuing to one roster entry gave: a voucher, or the problem code of the reason none was issued.</summary>
    /// <param name="CitizenId">The trainee.</param>
    /// <param name="OccupationCode">The occupation.</param>
    /// <param name="Level">The skill level.</param>
    /// <param name="VoucherCode">The voucher issued.</param>
    /// <param name="Rejection">Why none was issued: a problem code such as <c>stock-exhausted</c> or <c>not-eligible</c>.</param>
    /// <param name="Detail">More on the rejection.</param>
    public sealed record RosterOutcome(string CitizenId, string OccupationCode, SkillLevel? Level, string? VoucherCode, string? Rejection, string? Detail);
}
