using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints.Contracts;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/institutions/{institutionId}/classes/{classCode}</c>: attendance records (R13, R14). A
/// trainee checks in to an offline session by position inside the site's radius, or — where location
/// fails — by scanning the signed code the institution shows; the platform teaching the online sessions
/// reports each trainee's completed online study.
/// </summary>
public static class CheckInEndpoints
{
    /// <summary>The longest check-in code validity an institution may ask for, in seconds (the domain's 15 minutes).</summary>
    public const int MaxTokenSeconds = 900;

    /// <summary>The longest check-in code accepted.</summary>
    public const int MaxTokenLength = 512;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapCheckInEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/institutions/{institutionId}/classes/{classCode}").WithTags("Check-ins");
        group.MapPost("/check-in-tokens", IssueCheckInToken)
            .WithName("IssueCheckInToken")
            .WithSummary("Issues a signed check-in code for a session, valid up to 15 minutes, to show as a QR code where location check-in fails (R13)")
            .RequireRoles(Roles.Institution)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"session":0,"validForSeconds":600}""");
        group.MapPost("/check-ins", CheckIn)
            .WithName("CheckIn")
            .WithSummary("A trainee checks in to an offline session: by position inside the site's radius, or with the scanned code (R13)")
            .RequireRoles(Roles.Worker)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""{"citizenId":"350102199001011238","session":0,"position":{"latitude":26.0746,"longitude":119.2966}}""");
        group.MapPost("/online-study", RecordOnlineStudy)
            .WithName("RecordOnlineStudy")
            .WithSummary("The platform teaching a class's online sessions reports a trainee's completed online session (R14, R15)")
            .RequireRoles(Roles.Institution)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency();
        return api;
    }

    /// <summary>Issues a check-in code for one of the calling institution's sessions.</summary>
    public static async Task<Results<Created<CheckInToken>, ValidationProblem, ProblemHttpResult>> IssueCheckInToken(
        string institutionId, string classCode, IssueCheckInTokenRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        validation.Range("session", request.Session, 0, ClassEndpoints.MaxSessions - 1);
        validation.Range("validForSeconds", request.ValidForSeconds, 1, MaxTokenSeconds);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsInstitution(id))
        {
            return ApiProblems.OutOfScope();
        }

        var issued = await grains.GetGrain<IInstitutionGrain>(id!).IssueCheckInTokenAsync(code!, request.Session, TimeSpan.FromSeconds(request.ValidForSeconds));
        return issued.IsSuccess
            ? TypedResults.Created($"/api/v1/institutions/{id}/classes/{code}", issued.Value!)
            : ApiProblems.Rejection(issued);
    }

    /// <summary>Checks the calling worker in.</summary>
    public static async Task<Results<Created<CheckInReceipt>, ValidationProblem, ProblemHttpResult>> CheckIn(
        string institutionId, string classCode, CheckInRequestBody request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        var trainee = validation.CitizenId("citizenId", request.CitizenId, ChinaTime.DateOf(time.GetUtcNow()));
        validation.Range("session", request.Session, 0, ClassEndpoints.MaxSessions - 1);
        var position = request.Position is null ? null : validation.Position("position", request.Position.Latitude, request.Position.Longitude, required: true);
        var token = request.Token is null ? null : Token(validation, request.Token);
        if (request.Position is null && request.Token is null)
        {
            validation.AddError("position", "A check-in needs a position, or the scanned code as token.");
        }

        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsWorker(trainee))
        {
            return ApiProblems.OutOfScope();
        }

        var checkedIn = await grains.GetGrain<IClassGrain>(ClassKey.Of(id!, code!)).CheckInAsync(new CheckInRequest(trainee!, request.Session, position, token));
        return checkedIn.IsSuccess
            ? TypedResults.Created($"/api/v1/institutions/{id}/classes/{code}/trainees/{trainee}/attendance", checkedIn.Value!)
            : ApiProblems.Rejection(checkedIn);
    }

    /// <summary>Records a completed online session, reported by the calling platform.</summary>
    public static async Task<Results<Created<CheckInReceipt>, ValidationProblem, ProblemHttpResult>> RecordOnlineStudy(
        string institutionId, string classCode, OnlineStudyRequest request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        var trainee = validation.CitizenId("citizenId", request.CitizenId, ChinaTime.DateOf(time.GetUtcNow()));
        validation.Range("session", request.Session, 0, ClassEndpoints.MaxSessions - 1);
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

        var recorded = await schoolClass.RecordOnlineStudyAsync(new OnlineStudyReport(scope.Subject, trainee!, request.Session));
        return recorded.IsSuccess
            ? TypedResults.Created($"/api/v1/institutions/{id}/classes/{code}/trainees/{trainee}/attendance", recorded.Value!)
            : ApiProblems.Rejection(recorded);
    }

    private static string? Token(RequestValidation validation, string token)
    {
        if (token.Length is 0 or > MaxTokenLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            validation.AddError("token", $"Must be the scanned check-in code: 1 to {MaxTokenLength} characters of base64url and '.'.");
            return null;
        }

        return token;
    }

    /// <summary>A check-in code to issue.</summary>
    /// <param name="Session">The session's index in the class's sessions.</param>
    /// <param name="ValidForSeconds">How long the code is accepted, 1 to 900 seconds.</param>
    public sealed record IssueCheckInTokenRequest(int Session, int ValidForSeconds);

    /// <summary>A trainee's check-in: a position, the scanned code, or both (the position is then checked against the site, R21).</summary>
    /// <param name="CitizenId">The trainee: the caller's own citizen id.</param>
    /// <param name="Session">The session's index in the class's sessions.</param>
    /// <param name="Position">The phone's position, for a location check-in.</param>
    /// <param name="Token">The scanned check-in code, the fallback when location fails.</param>
    public sealed record CheckInRequestBody(string CitizenId, int Session, Position? Position = null, string? Token = null);

    /// <summary>A completed online session.</summary>
    /// <param name="CitizenId">The trainee.</param>
    /// <param name="Session">The online session's index in the class's sessions.</param>
    public sealed record OnlineStudyRequest(string CitizenId, int Session);
}
