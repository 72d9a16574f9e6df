using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// Settlement and write-off (结算核销, R15–R18): an institution claims the subsidy of its part of a
/// completed voucher; the authorities over the voucher's issuing region ("who issues, audits and pays")
/// approve or reject each part. When every part is approved the voucher is settled and its code
/// invalid for good (R17).
/// </summary>
public static class SettlementEndpoints
{
    /// <summary>Maps the endpoints under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapSettlementEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/institutions/{institutionId}/settlement-claims", ClaimSettlement)
            .WithName("ClaimSettlement")
            .WithTags("Settlement")
            .WithSummary("An institution claims the subsidy of its part of a completed voucher (R15, R16, R18)")
            .RequireRoles(Roles.Institution)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"voucherCode":"7K3M-XQ9P-2D4R-TW","part":"whole","paymentTarget":"institution"}""");
        api.MapPost("/vouchers/{voucherCode}/settlement-decisions", DecideSettlement)
            .WithName("DecideSettlement")
            .WithTags("Settlement")
            .WithSummary("The issuing authority approves or rejects a part's settlement claim; with every part approved the voucher is settled and written off (R16, R17)")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"part":"whole","decision":"approve"}""");
        return api;
    }

    /// <summary>Claims a part's subsidy for the calling institution.</summary>
    public static async Task<Results<Created<SettlementPartView>, ValidationProblem, ProblemHttpResult>> ClaimSettlement(
        string institutionId, SettlementClaimRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.VoucherCode("voucherCode", request.VoucherCode);
        validation.Defined("part", request.Part);
        validation.Defined("paymentTarget", request.PaymentTarget);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsInstitution(id))
        {
            return ApiProblems.OutOfScope();
        }

        var claimed = await grains.GetGrain<IInstitutionGrain>(id!).ClaimSettlementAsync(new SettlementRequest(code!, request.Part, request.PaymentTarget));
        return claimed.IsSuccess ? TypedResults.Created($"/api/v1/vouchers/{code}", claimed.Value!) : ApiProblems.Rejection(claimed);
    }

    /// <summary>Approves or rejects a part's claim; answers with the voucher after the decision.</summary>
    public static async Task<Results<Ok<VoucherView>, ValidationProblem, ProblemHttpResult>> DecideSettlement(
        string voucherCode, SettlementDecisionRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var code = validation.VoucherCode("voucherCode", voucherCode);
        validation.Defined("part", request.Part);
        var decision = validation.Defined("decision", request.Decision);
        var reason = validation.Text("reason", request.Reason, DomainFieldValidation.MaxReasonLength, required: decision == SettlementDecision.Reject);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var voucher = grains.GetGrain<IVoucherGrain>(code!);
        if (await VoucherEndpoints.AuthorityCheckAsync(voucher, scope) is { } refused)
        {
            return refused;
        }

        var decided = decision == SettlementDecision.Approve
            ? await ApproveAsync(voucher, code!, request.Part, grains)
            : await voucher.RejectSettlementAsync(request.Part, reason!);
        return decided.IsSuccess ? TypedResults.Ok((await voucher.GetAsync()).Value!) : ApiProblems.Rejection(decided);
    }

    /// <summary>
    /// Approves the part's claim through the institution it pays: the approval is that institution's
    /// transaction, refused while it is suspended or removed (R3), whose claim then waits for its
    /// reinstatement or listing again.
    /// </summary>
    private static async Task<Result<SettlementPartView>> ApproveAsync(IVoucherGrain voucher, string code, TrainingPart part, IGrainFactory grains)
    {
        var claim = await voucher.PendingClaimAsync(part);
        return claim.IsSuccess ? await grains.GetGrain<IInstitutionGrain>(claim.Value!.InstitutionId).ApproveSettlementAsync(code, part) : claim;
    }

    /// <summary>A settlement claim.</summary>
    /// <param name="VoucherCode">The completed voucher.</param>
    /// <param name="Part"><c>whole</c>, or the <c>online</c> or <c>offline</c> part when two institutions shared the training (R15).</param>
    /// <param name="PaymentTarget">Who is paid: <c>institution</c>, <c>individual</c> (general vouchers only, R16) or <c>enterprise</c>.</param>
    public sealed record SettlementClaimRequest(string VoucherCode, TrainingPart Part, PaymentTarget PaymentTarget = PaymentTarget.Institution);

    /// <summary>A decision on a part's settlement claim.</summary>
    /// <param name="Part">The part claimed.</param>
    /// <param name="Decision"><c>approve</c> (pays it) or <c>reject</c> (the institution may claim again).</param>
    /// <param name="Reason">Why, 1 to 500 characters; required to reject.</param>
    public sealed record SettlementDecisionRequest(TrainingPart Part, SettlementDecision Decision, string? Reason = null);

    /// <summary>The authority's decision on a settlement claim.</summary>
    public enum SettlementDecision
    {
        /// <summary>Approve and pay.</summary>
        Approve,

        /// <summary>Reject with a reason.</summary>
        Reject,
    }
}
