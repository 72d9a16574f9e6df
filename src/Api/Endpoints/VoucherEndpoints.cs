using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints.Contracts;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/vouchers/{voucherCode}</c>: one voucher, its status computed now (an unused voucher past its
/// deadline is expired, R9). Its holder, the institution it is bound to and the authorities over its
/// issuing region read it; those authorities revoke it.
/// </summary>
public static class VoucherEndpoints
{
    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapVoucherEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/vouchers/{voucherCode}").WithTags("Vouchers");
        group.MapGet("/", GetVoucher)
            .WithName("GetVoucher")
            .WithSummary("A voucher as it stands now: status, holder, amount, occupation, deadline, institution, class and settlement")
            .RequireRoles(Roles.Worker, Roles.Institution, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/revoke", RevokeVoucher)
            .WithName("RevokeVoucher")
            .WithSummary("Revokes a voucher with a reason (the issuing authority); a settled or expired voucher cannot be revoked")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"reason":"Impersonated claim found by the risk check (R21)"}""");
        return api;
    }

    /// <summary>Answers with the voucher.</summary>
    public static async Task<Results<Ok<VoucherView>, ValidationProblem, ProblemHttpResult>> GetVoucher(
        string voucherCode, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var code = validation.VoucherCode("voucherCode", voucherCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var voucher = await grains.GetGrain<IVoucherGrain>(code!).ReadAsync();
        if (!voucher.IsSuccess)
        {
            return ApiProblems.Rejection(voucher);
        }

        return CanRead(scope, voucher.Value!) ? TypedResults.Ok(voucher.Value!) : ApiProblems.OutOfScope();
    }

    /// <summary>Revokes the voucher.</summary>
    public static async Task<Results<Ok<VoucherView>, ValidationProblem, ProblemHttpResult>> RevokeVoucher(
        string voucherCode, ReasonRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var code = validation.VoucherCode("voucherCode", voucherCode);
        var reason = validation.Reason("reason", request.Reason);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var voucher = grains.GetGrain<IVoucherGrain>(code!);
        if (await AuthorityCheckAsync(voucher, scope) is { } refused)
        {
            return refused;
        }

        var revoked = await voucher.RevokeAsync(reason!);
        return revoked.IsSuccess ? TypedResults.Ok((await voucher.GetAsync()).Value!) : ApiProblems.Rejection(revoked);
    }

    /// <summary>Whether the caller may read the voucher: its holder, the institution it is bound to, an authority over its issuing region.</summary>
    internal static bool CanRead(AccessScope scope, VoucherView voucher) =>
        scope.IsWorker(voucher.CitizenId) || scope.IsInstitution(voucher.InstitutionId) || scope.CanActInRegion(voucher.RegionCode);

    /// <summary>Null when the caller is an authority over the voucher's issuing region; otherwise its 404, or 403 <c>out-of-scope</c>.</summary>
    internal static async Task<ProblemHttpResult?> AuthorityCheckAsync(IVoucherGrain voucher, AccessScope scope)
    {
        var view = await voucher.GetAsync();
        if (!view.IsSuccess)
        {
            return ApiProblems.Rejection(view);
        }

        return scope.CanActInRegion(view.Value!.RegionCode) ? null : ApiProblems.OutOfScope();
    }
}
