using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints.Contracts;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/institutions/{institutionId}/classes</c>: the classes an institution registers before they
/// open (R12), their attendance (R14) and what supervision flags (R13, R21). The institution registers
/// and reads its classes; its online partner, its enrolled trainees and the authorities over its region
/// read them too.
/// </summary>
public static class ClassEndpoints
{
    /// <summary>The most sessions of a class.</summary>
    public const int MaxSessions = 500;

    /// <summary>The longest session.</summary>
    public static readonly TimeSpan MaxSessionLength = TimeSpan.FromHours(12);

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapClassEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/institutions/{institutionId}/classes").WithTags("Classes");
        group.MapPost("/", RegisterClass)
            .WithName("RegisterClass")
            .WithSummary("Registers a class and its sessions before it opens (R12 lead time, R14 online share, R15 offline practice)")
            .RequireRoles(Roles.Institution)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithIdempotency()
            .WithRequestExample("""
                {"classCode":"EC-2026-03","occupationCode":"4-01-02-02","level":null,"capacity":40,
                 "sessions":[{"start":"2026-03-09T09:00:00+08:00","end":"2026-03-09T11:00:00+08:00","mode":"offline"},
                             {"start":"2026-03-10T09:00:00+08:00","end":"2026-03-10T11:00:00+08:00","mode":"offline"}]}
                """);
        group.MapGet("/{classCode}", GetClass)
            .WithName("GetClass")
            .WithSummary("A class: occupation, level, sessions (check-ins name a session by its index here), site and trainees")
            .RequireRoles(Roles.Institution, Roles.Worker, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapGet("/{classCode}/anomalies", GetAnomalies)
            .WithName("GetClassAnomalies")
            .WithSummary("Sessions that ended without check-ins and flagged check-ins, for supervision (R13, R21)")
            .RequireRoles(Roles.Institution, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapGet("/{classCode}/trainees/{citizenId}/attendance", GetAttendance)
            .WithName("GetAttendance")
            .WithSummary("A trainee's attendance: sessions attended, minutes and rate (R14)")
            .RequireRoles(Roles.Institution, Roles.Worker, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    /// <summary>Registers a class of the calling institution.</summary>
    public static async Task<Results<Created<ClassResponse>, ValidationProblem, ProblemHttpResult>> RegisterClass(
        string institutionId, RegisterClassRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var classCode = validation.Code("classCode", request.ClassCode);
        var occupation = validation.OccupationCode("occupationCode", request.OccupationCode);
        validation.DefinedOrNull("level", request.Level);
        var sessions = ValidateSessions(validation, request.Sessions);
        var partner = request.OnlinePartnerId is null ? null : validation.InstitutionId("onlinePartnerId", request.OnlinePartnerId);
        if (request.Capacity is { } capacity)
        {
            validation.Range("capacity", capacity, 1, 10_000);
        }

        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsInstitution(id))
        {
            return ApiProblems.OutOfScope();
        }

        var registered = await grains.GetGrain<IInstitutionGrain>(id!).RegisterClassAsync(
            new ClassRegistration(classCode!, occupation!, request.Level, sessions!, partner, request.Capacity));
        return registered.IsSuccess
            ? TypedResults.Created($"/api/v1/institutions/{id}/classes/{classCode}", ClassResponse.From(registered.Value!, scope))
            : ApiProblems.Rejection(registered);
    }

    /// <summary>Answers with the class.</summary>
    public static async Task<Results<Ok<ClassResponse>, ValidationProblem, ProblemHttpResult>> GetClass(
        string institutionId, string classCode, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var view = await grains.GetGrain<IClassGrain>(ClassKey.Of(id!, code!)).GetAsync();
        if (view is null)
        {
            return NotFound(id!, code!);
        }

        var allowed = IsParty(scope, view) || view.Trainees.Any(scope.IsWorker) || await CoversInstitutionAsync(scope, grains, id!);
        return allowed ? TypedResults.Ok(ClassResponse.From(view, scope)) : ApiProblems.OutOfScope();
    }

    /// <summary>Answers with the class's anomalies, to its institution and the authorities over its region.</summary>
    public static async Task<Results<Ok<IReadOnlyList<Anomaly>>, ValidationProblem, ProblemHttpResult>> GetAnomalies(
        string institutionId, string classCode, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.IsInstitution(id) && !(scope.IsAuthority && await CoversInstitutionAsync(scope, grains, id!)))
        {
            return ApiProblems.OutOfScope();
        }

        var schoolClass = grains.GetGrain<IClassGrain>(ClassKey.Of(id!, code!));
        return await schoolClass.GetAsync() is null ? NotFound(id!, code!) : TypedResults.Ok(await schoolClass.GetAnomaliesAsync());
    }

    /// <summary>Answers with a trainee's attendance, to the trainee, the class's institutions and the authorities over its region.</summary>
    public static async Task<Results<Ok<AttendanceView>, ValidationProblem, ProblemHttpResult>> GetAttendance(
        string institutionId, string classCode, string citizenId, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.InstitutionId("institutionId", institutionId);
        var code = validation.Code("classCode", classCode);
        var trainee = validation.CitizenId("citizenId", citizenId, ChinaTime.DateOf(time.GetUtcNow()));
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var schoolClass = grains.GetGrain<IClassGrain>(ClassKey.Of(id!, code!));
        if (!scope.IsWorker(trainee))
        {
            if (scope.Role == Roles.Worker)
            {
                return ApiProblems.OutOfScope();
            }

            var view = await schoolClass.GetAsync();
            if (view is null)
            {
                return NotFound(id!, code!);
            }

            if (!IsParty(scope, view) && !(scope.IsAuthority && await CoversInstitutionAsync(scope, grains, id!)))
            {
                return ApiProblems.OutOfScope();
            }
        }

        var attendance = await schoolClass.GetAttendanceAsync(trainee!);
        return attendance.IsSuccess ? TypedResults.Ok(attendance.Value!) : ApiProblems.Rejection(attendance);
    }

    /// <summary>Whether the caller is the class's institution or its online partner.</summary>
    internal static bool IsParty(AccessScope scope, ClassView view) =>
        scope.IsInstitution(view.InstitutionId) || (view.OnlinePartnerId is { } partner && scope.IsInstitution(partner));

    /// <summary>
    /// R3: the problem when <paramref name="institutionId"/>, reporting on a class (a result, an online
    /// session, a trainee rating), was removed from the catalogue; null when it may report. A removed
    /// institution is out of the programme, so what it says of a training is not recorded, as it issues
    /// no check-in codes. A suspended institution finishes the training under way: it is refused new
    /// verifications and settlement claims until reinstated, not the record of what its trainees do.
    /// </summary>
    internal static async Task<ProblemHttpResult?> RemovedReporterAsync(IGrainFactory grains, string institutionId) =>
        await grains.GetGrain<IInstitutionGrain>(institutionId).GetAsync() is { Status: InstitutionStatus.Removed } removed
            ? ApiProblems.Rejection(Result.Reject(RejectionCode.InstitutionRemoved, $"The institution was removed from the catalogue: {removed.StatusReason}"))
            : null;

    /// <summary>Whether the caller is an authority over the region the institution is listed in.</summary>
    internal static async Task<bool> CoversInstitutionAsync(AccessScope scope, IGrainFactory grains, string institutionId) =>
        scope.IsAuthority && await grains.GetGrain<IInstitutionGrain>(institutionId).GetAsync() is { } institution
        && scope.CanActInRegion(institution.Listing.RegionCode);

    /// <summary>404 <c>class-not-found</c>.</summary>
    internal static ProblemHttpResult NotFound(string institutionId, string classCode) =>
        EndpointConventions.NotFound(RejectionCode.ClassNotFound, $"Institution {institutionId} has no class {classCode}.");

    private static List<SessionPlan>? ValidateSessions(RequestValidation validation, IReadOnlyList<SessionPlan>? sessions)
    {
        if (validation.Count("sessions", sessions, 1, MaxSessions) is not { } listed)
        {
            return null;
        }

        for (var i = 0; i < listed.Count; i++)
        {
            var session = listed[i];
            validation.Defined($"sessions[{i}].mode", session.Mode);
            if (session.End <= session.Start || session.End - session.Start > MaxSessionLength)
            {
                validation.AddError($"sessions[{i}].end", $"Must be after the start, by at most {MaxSessionLength.TotalHours:0} hours.");
            }

            validation.Instant($"sessions[{i}].start", session.Start);
        }

        return [.. listed];
    }

    /// <summary>A class to register (R12).</summary>
    /// <param name="ClassCode">The institution's code for it: 1 to 32 letters, digits and '-'.</param>
    /// <param name="OccupationCode">The occupation trained; the institution must be listed for it and it must be in the region's catalogue.</param>
    /// <param name="Sessions">1 to 500 sessions, in any order; each ends after it starts, within 12 hours.</param>
    /// <param name="Level">The certificate level aimed at, or null.</param>
    /// <param name="OnlinePartnerId">The online platform teaching the online sessions when it is another institution (R15).</param>
    /// <param name="Capacity">The most trainees, 1 to 10,000, or null for no limit.</param>
    public sealed record RegisterClassRequest(
        string ClassCode,
        string OccupationCode,
        IReadOnlyList<SessionPlan> Sessions,
        SkillLevel? Level = null,
        string? OnlinePartnerId = null,
        int? Capacity = null);

    /// <summary>A class as registered.</summary>
    /// <param name="Key">The class key, <c>{institutionId}:{classCode}</c>.</param>
    /// <param name="InstitutionId">The institution running it.</param>
    /// <param name="ClassCode">The institution's code for it.</param>
    /// <param name="OccupationCode">The occupation trained.</param>
    /// <param name="Level">The certificate level aimed at.</param>
    /// <param name="Sessions">The sessions in time order; check-ins and reports name a session by its index here.</param>
    /// <param name="OnlinePartnerId">The online partner, if any.</param>
    /// <param name="Site">The site for location check-in.</param>
    /// <param name="SiteRadiusMetres">The check-in radius.</param>
    /// <param name="Capacity">The most trainees.</param>
    /// <param name="Trainees">The enrolled trainees' citizen ids (a trainee sees only itself).</param>
    /// <param name="StartsAt">When the first session starts.</param>
    /// <param name="TotalMinutes">Minutes of all sessions.</param>
    /// <param name="OnlineMinutes">Minutes of online sessions.</param>
    public sealed record ClassResponse(
        string Key,
        string InstitutionId,
        string ClassCode,
        string OccupationCode,
        SkillLevel? Level,
        IReadOnlyList<SessionPlan> Sessions,
        string? OnlinePartnerId,
        Position? Site,
        int SiteRadiusMetres,
        int? Capacity,
        IReadOnlyList<string> Trainees,
        DateTimeOffset StartsAt,
        long TotalMinutes,
        long OnlineMinutes)
    {
        /// <summary>The response for a domain view, as <paramref name="scope"/> may see it.</summary>
        public static ClassResponse From(ClassView view, AccessScope scope)
        {
            ArgumentNullException.ThrowIfNull(view);
            ArgumentNullException.ThrowIfNull(scope);
            var trainees = scope.Role == Roles.Worker ? view.Trainees.Where(scope.IsWorker).ToList() : [.. view.Trainees];
            return new ClassResponse(
                view.Key, view.InstitutionId, view.Key[(view.InstitutionId.Length + 1)..], view.OccupationCode, view.Level, [.. view.Sessions],
                view.OnlinePartnerId, Position.From(view.Site), view.SiteRadiusMetres, view.Capacity, trainees, view.StartsAt, view.TotalMinutes, view.OnlineMinutes);
        }
    }
}
