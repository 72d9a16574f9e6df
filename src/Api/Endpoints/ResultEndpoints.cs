using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/institutions/{institutionId}/classes/{classCode}</c>: assessment results (R14, R15) — the
/// result that completes every part, with a certificate and the attendance threshold met, completes the
/// trainee's voucher in the same atomic write — and the two-way evaluation (R20).
/// </summary>
public static class ResultEndpoints
{
    /// <summary>The longest certificate number.</summary>
    public const int MaxCertificateLength = 64;

    /// <summary>The longest evaluation comment.</summary>
    public const int MaxCommentLength = 500;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapResultEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/institutions/{institutionId}/classes/{classCode}").WithTags("Results");
        group.MapPost("/results", RecordResult)
            .WithName("RecordResult")
            .WithSummary("Records a trainee's assessment result for a part; passing every part with a certificate and enough attendance completes the voucher (R14, R15)")
            .RequireRoles(Roles.Institution)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"citizenId":"350102199001011238","part":"whole","passed":true,"certificateNumber":"S350102202600123"}""");
        group.MapPost("/course-ratings", RateCourse)
            .WithName("RateCourse")
            .WithSummary("A trainee rates the course, 1 to 5, after completing it (R20)")
            .RequireRoles(Roles.Worker)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        group.MapPost("/trainee-ratings", RateTrainee)
            .WithName("RateTrainee")
            .WithSummary("The institution rates a trainee, 1 to 5 (R20)")
            .RequireRoles(Roles.Institution)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        return api;
    }

    /// <summary>Records a result reported by the calling institution (the class's, or its online partner for the online part).</summary>
    public static async Task<Results<Created<CompletionReport>, ValidationProblem, ProblemHttpResult>> RecordResult(
        string institutionId, string classCode, RecordResultRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        var trainee = validation.CitizenId("citizenId", request.CitizenId, ChinaTime.DateOf(time.GetUtcNow()));
        validation.Defined("part", request.Part);
        var certificate = validation.Text("certificateNumber", request.CertificateNumber, MaxCertificateLength, required: false);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (scope.Role != Roles.Institution)
        {
            return ApiProblems.OutOfScope();
        }

        var schoolClass = grains.GetGrain<IClassGrain>(ClassKey.Of(id!, code!));
        var view = await schoolClass.GetAsync();
        if (view is null)
        {
            return ClassEndpoints.NotFound(id!, code!);
        }

        if (!ClassEndpoints.IsParty(scope, view))
        {
            return ApiProblems.OutOfScope();
        }

        if (await ClassEndpoints.RemovedReporterAsync(grains, scope.Subject) is { } removed)
        {
            return removed;
        }

        var recorded = await schoolClass.RecordResultAsync(new AssessmentReport(scope.Subject, trainee!, request.Part, request.Passed, certificate));
        return recorded.IsSuccess
            ? TypedResults.Created($"/api/v1/vouchers/{recorded.Value!.VoucherCode}", recorded.Value)
            : ApiProblems.Rejection(recorded);
    }

    /// <summary>The calling trainee rates the course.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RateCourse(
        string institutionId, string classCode, RatingRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        var evaluation = ValidateRating(validation, request, time);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsWorker(evaluation!.CitizenId))
        {
            return ApiProblems.OutOfScope();
        }

        var rated = await grains.GetGrain<IClassGrain>(ClassKey.Of(id!, code!)).RateCourseAsync(evaluation);
        return rated.IsSuccess ? TypedResults.NoContent() : ApiProblems.Rejection(rated);
    }

    /// <summary>The calling institution rates a trainee of its class.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RateTrainee(
        string institutionId, string classCode, RatingRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        var evaluation = ValidateRating(validation, request, time);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsInstitution(id))
        {
            return ApiProblems.OutOfScope();
        }

        if (await ClassEndpoints.RemovedReporterAsync(grains, id!) is { } removed)
        {
            return removed;
        }

        var rated = await grains.GetGrain<IClassGrain>(ClassKey.Of(id!, code!)).RateTraineeAsync(evaluation!);
        return rated.IsSuccess ? TypedResults.NoContent() : ApiProblems.Rejection(rated);
    }

    private static Evaluation? ValidateRating(RequestValidation validation, RatingRequest request, TimeProvider time)
    {
        var trainee = validation.CitizenId("citizenId", request.CitizenId, ChinaTime.DateOf(time.GetUtcNow()));
        var score = validation.Range("score", request.Score, 1, 5);
        var comment = validation.Text("comment", request.Comment, MaxCommentLength, required: false);
        return trainee is null || score is null ? null : new Evaluation(trainee, score.Value, comment);
    }

    /// <summary>An assessment result.</summary>
    /// <param name="CitizenId">The trainee.</param>
    /// <param name="Part"><c>whole</c>, or <c>online</c> and <c>offline</c> when an online partner teaches the theory (R15).</param>
    /// <param name="Passed">Whether the assessment was passed.</param>
    /// <param name="CertificateNumber">The certificate number, 1 to 64 characters; completion needs one (R16).</param>
    public sealed record RecordResultRequest(string CitizenId, TrainingPart Part, bool Passed, string? CertificateNumber = null);

    /// <summary>A rating (R20).</summary>
    /// <param name="CitizenId">The trainee: for a course rating, the caller itself.</param>
    /// <param name="Score">1 to 5.</param>
    /// <param name="Comment">Optional words, at most 500 characters.</param>
    public sealed record RatingRequest(string CitizenId, int Score, string? Comment = null);
}
