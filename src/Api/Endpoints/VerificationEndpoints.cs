using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.RateLimiting;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/institutions/{institutionId}/verifications</c>: verification at enrolment (R11, 核验), which
/// activates the voucher (激活) and binds it to the institution, occupation and class, and its rollback
/// before the class starts; <c>…/voucher-checks</c>: the read-only scan of a voucher at the desk, which
/// answers whether that verification would succeed now, and changes nothing.
/// <para>
/// Verification is the engine's hot path — trainees queue at the enrolment desk — so it reads nothing
/// from storage once its grains are active: the scope check reads the token only, the institution grain
/// runs the verification as one atomic write of voucher, worker, class and institution, and the retry
/// of a verification already done is answered from the active voucher. It is naturally idempotent: the
/// same verification again (same voucher, presenter and class, at the same institution) answers
/// <c>200</c> with the same receipt instead of <c>already-used</c>, so a desk retries without an
/// <c>Idempotency-Key</c>, and a key, which costs a record's read and write, is optional.
/// </para>
/// <para>
/// The check runs the verification's rules on the committed state of the same grains and writes nothing,
/// not even an idempotency record (it takes no <c>Idempotency-Key</c>: repeating it is harmless). Its
/// refusals are answers, not errors: <c>200</c> with <c>verifiable: false</c> and the stable code the
/// verification would have failed with.
/// </para>
/// <para>
/// All three endpoints draw on the per-institution <see cref="RateLimitPolicies.Verification"/> bucket, in
/// place of the per-caller one, against walking the code space.
/// </para>
/// </summary>
public static class VerificationEndpoints
{
    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapVerificationEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/institutions/{institutionId}").WithTags("Verification");
        group.MapPost("/verifications", VerifyVoucher)
            .WithName("VerifyVoucher")
            .WithSummary("Verifies a voucher at enrolment and activates it (R11): 201 with the receipt, or 200 with the same receipt when this verification was done already")
            .WithDescription(
                "The presenter must be the holder; the voucher claimed and valid; the institution listed, active and allowed the class's occupation; " +
                "a directed voucher's occupation and institution must match; the worker's yearly limits must hold (R10). " +
                "Naturally idempotent: repeating it answers 200 with the receipt, so the Idempotency-Key is optional (a key costs a storage read).")
            .RequireRoles(Roles.Institution)
            .RequireRateLimiting(RateLimitPolicies.Verification)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"voucherCode":"7K3M-XQ9P-2D4R-TW","presenterCitizenId":"350102199001011238","classCode":"EC-2026-03"}""");
        group.MapPost("/voucher-checks", CheckVoucher)
            .WithName("CheckVoucher")
            .WithSummary("Checks a voucher at the desk without changing anything: 200 with whether a verification would succeed now, the stable reason code if not, and the voucher's status")
            .WithDescription(
                "Read-only: the same rules as the verification (R8-R12), on the committed state, with nothing written. " +
                "A refusal is an answer, 200 with verifiable false and the code a verification would fail with (e.g. already-used, identity-mismatch, voucher-not-found). " +
                "The status is given only when the presenter is the voucher's holder. Takes no Idempotency-Key.")
            .RequireRoles(Roles.Institution)
            .RequireRateLimiting(RateLimitPolicies.Verification)
            .WithRequestExample("""{"voucherCode":"7K3M-XQ9P-2D4R-TW","presenterCitizenId":"350102199001011238","classCode":"EC-2026-03"}""");
        group.MapPost("/verification-rollbacks", RollBackVerification)
            .WithName("RollBackVerification")
            .WithSummary("Rolls back a verification before the class starts: the voucher returns to claimed and the yearly slot is released")
            .RequireRoles(Roles.Institution)
            .RequireRateLimiting(RateLimitPolicies.Verification)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"voucherCode":"7K3M-XQ9P-2D4R-TW","reason":"Trainee moved to the evening class"}""");
        return api;
    }

    /// <summary>Verifies a voucher at the calling institution.</summary>
    public static async Task<Results<Created<VerificationReceipt>, Ok<VerificationReceipt>, ValidationProblem, ProblemHttpResult>> VerifyVoucher(
        string institutionId, VerifyVoucherRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var (id, verification, invalid, outOfScope) = ReadVerification(institutionId, request, scope, time);
        if (invalid is not null)
        {
            return invalid;
        }

        if (outOfScope is not null)
        {
            return outOfScope;
        }

        var (code, presenter, classCode) = (verification!.VoucherCode, verification.PresenterCitizenId, verification.ClassCode);
        var verified = await grains.GetGrain<IInstitutionGrain>(id!).VerifyVoucherAsync(verification);
        if (verified.IsSuccess)
        {
            return TypedResults.Created($"/api/v1/vouchers/{code}", verified.Value!);
        }

        if (verified.Rejection == RejectionCode.AlreadyUsed
            && await grains.GetGrain<IVoucherGrain>(code).GetAsync() is { IsSuccess: true, Value: { } voucher }
            && voucher.Status == VoucherStatus.Activated
            && voucher.InstitutionId == id
            && voucher.CitizenId == presenter
            && voucher.ClassKey == ClassKey.Of(id!, classCode)
            && voucher is { OccupationCode: { } occupation, Deadline: { } deadline })
        {
            return TypedResults.Ok(new VerificationReceipt(code, presenter, voucher.ClassKey, occupation, deadline));
        }

        return ApiProblems.Rejection(verified);
    }

    /// <summary>Checks a voucher at the calling institution as a verification would, changing nothing.</summary>
    public static async Task<Results<Ok<VoucherCheckResponse>, ValidationProblem, ProblemHttpResult>> CheckVoucher(
        string institutionId, VerifyVoucherRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var (id, verification, invalid, outOfScope) = ReadVerification(institutionId, request, scope, time);
        if (invalid is not null)
        {
            return invalid;
        }

        if (outOfScope is not null)
        {
            return outOfScope;
        }

        var check = await grains.GetGrain<IInstitutionGrain>(id!).CheckVoucherAsync(verification!);
        return TypedResults.Ok(new VoucherCheckResponse(
            check.VoucherCode, check.Verifiable, check.Rejection is { } rejection ? ProblemCodes.Of(rejection) : null, check.Detail, check.Status));
    }

    /// <summary>
    /// Reads what a verification and a voucher check both take: the institution from the route and the
    /// voucher, presenter and class from the body, validated, and the caller's scope over the
    /// institution. Returns the problem to answer instead when any of it fails.
    /// </summary>
    private static (string? InstitutionId, VerificationRequest? Request, ValidationProblem? Invalid, ProblemHttpResult? OutOfScope) ReadVerification(
        string institutionId, VerifyVoucherRequest request, AccessScope scope, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.VoucherCode("voucherCode", request.VoucherCode);
        var presenter = validation.CitizenId("presenterCitizenId", request.PresenterCitizenId, ChinaTime.DateOf(time.GetUtcNow()));
        var classCode = validation.Code("classCode", request.ClassCode);
        if (validation.HasErrors)
        {
            return (null, null, validation.Problem(), null);
        }

        return scope.IsInstitution(id)
            ? (id, new VerificationRequest(code!, presenter!, classCode!), null, null)
            : (null, null, null, ApiProblems.OutOfScope());
    }

    /// <summary>Rolls back a verification made at the calling institution.</summary>
    public static async Task<Results<Ok<RollbackReceipt>, ValidationProblem, ProblemHttpResult>> RollBackVerification(
        string institutionId, RollBackVerificationRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.VoucherCode("voucherCode", request.VoucherCode);
        var reason = validation.Reason("reason", request.Reason);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsInstitution(id))
        {
            return ApiProblems.OutOfScope();
        }

        var rolledBack = await grains.GetGrain<IInstitutionGrain>(id!).RollBackVerificationAsync(code!, reason!);
        if (!rolledBack.IsSuccess)
        {
            return ApiProblems.Rejection(rolledBack);
        }

        var voucher = await grains.GetGrain<IVoucherGrain>(code!).GetAsync();
        return TypedResults.Ok(new RollbackReceipt(code!, voucher.Value?.Status ?? VoucherStatus.Claimed, voucher.Value?.Deadline));
    }

    /// <summary>An institution's scan of a voucher at enrolment (R11).</summary>
    /// <param name="VoucherCode">The code as scanned or typed: 14 characters, hyphens and case ignored, the last one a check character.</param>
    /// <param name="PresenterCitizenId">The citizen id of the person presenting it, read from their card.</param>
    /// <param name="ClassCode">The calling institution's class the trainee enrols in.</param>
    public sealed record VerifyVoucherRequest(string VoucherCode, string PresenterCitizenId, string ClassCode);

    /// <summary>The answer to a voucher check: whether a verification with the same request would succeed now.</summary>
    /// <param name="VoucherCode">The voucher, canonical.</param>
    /// <param name="Verifiable">Whether a verification with the same request would succeed now.</param>
    /// <param name="Reason">When not, the stable code the verification would fail with (the <c>code</c> of its problem), e.g. <c>already-used</c>.</param>
    /// <param name="Detail">A human-readable explanation of the reason.</param>
    /// <param name="Status">The voucher's status; null when it does not exist or the presenter is not its holder.</param>
    public sealed record VoucherCheckResponse(string VoucherCode, bool Verifiable, string? Reason, string? Detail, VoucherStatus? Status);

    /// <summary>A verification to roll back.</summary>
    /// <param name="VoucherCode">The voucher verified at the calling institution.</param>
    /// <param name="Reason">Why, 1 to 500 characters.</param>
    public sealed record RollBackVerificationRequest(string VoucherCode, string Reason);

    /// <summary>A rolled-back verification.</summary>
    /// <param name="VoucherCode">The voucher.</param>
    /// <param name="Status">Its status now: <c>claimed</c>.</param>
    /// <param name="Deadline">Its deadline now.</param>
    public sealed record RollbackReceipt(string VoucherCode, VoucherStatus Status, DateTimeOffset? Deadline);
}
