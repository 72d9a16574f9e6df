using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/workers/{citizenId}</c>: a worker — the attributes eligibility is judged on (R6), the
/// vouchers held, the yearly slots taken (R10) and the lifelong training archive. A worker reads its own.
/// An authority records what social-security and employment records say of a worker in its regions:
/// it may replace a worker's attributes when every region they name (insurance, household, residence,
/// before and after) lies within its scope — no authority rewrites another region's facts — and it may
/// read a worker any of whose regions, or whose citizen id's registering region, lies within its scope.
/// </summary>
public static class WorkerEndpoints
{
    /// <summary>The longest name a worker's attributes carry.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The most unemployment-insurance records a worker's attributes list.</summary>
    public const int MaxInsuranceRecords = 50;

    /// <summary>The most months one insurance record counts: a hundred years.</summary>
    public const int MaxInsuranceMonths = 1200;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapWorkerEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/workers/{citizenId}").WithTags("Workers");
        group.MapPut("/", RegisterWorker)
            .WithName("RegisterWorker")
            .WithSummary("Registers a worker or replaces their attributes from social-security records: insurance months by region, categories, household and residence regions (R6)")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status409Conflict)
            .WithRequestExample("""
                {"name":"张三","unemploymentInsurance":[{"regionCode":"330602","months":40}],"categories":["RegisteredUnemployed"],
                 "householdRegion":"330602","residenceRegion":null}
                """);
        group.MapGet("/", GetWorker)
            .WithName("GetWorker")
            .WithSummary("A worker: attributes, vouchers held, yearly slots taken")
            .RequireRoles(Roles.Worker, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapGet("/vouchers", GetWorkerVouchers)
            .WithName("GetWorkerVouchers")
            .WithSummary("The vouchers a worker holds that have not reached their end (completion, settlement, revocation); expired ones show as expired")
            .RequireRoles(Roles.Worker, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapGet("/archive", GetWorkerArchive)
            .WithName("GetWorkerArchive")
            .WithSummary("The lifelong training archive: every claim, enrolment, check-in, result, certificate, settlement and revocation, in order")
            .RequireRoles(Roles.Worker, Roles.Authority)
            .ProducesProblems(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>Registers the worker or replaces their attributes.</summary>
    public static async Task<Results<Created<WorkerView>, Ok<WorkerView>, ValidationProblem, ProblemHttpResult>> RegisterWorker(
        string citizenId, WorkerAttributes request, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var id = validation.CitizenId("citizenId", citizenId, ChinaTime.DateOf(time.GetUtcNow()));
        var attributes = Validate(validation, request);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var worker = grains.GetGrain<IWorkerGrain>(id!);
        var existing = await worker.GetAsync();
        var regions = RegionsOf(attributes!).Concat(existing.Value is { } known ? RegionsOf(known.Attributes) : []).ToList();
        if (regions.Count == 0)
        {
            regions.Add(id![..6]);
        }

        if (!regions.All(scope.CanActInRegion))
        {
            return ApiProblems.OutOfScope("The worker's records name a region outside the token's scope.");
        }

        var registered = await worker.RegisterAsync(attributes!);
        if (!registered.IsSuccess)
        {
            return ApiProblems.Rejection(registered);
        }

        var view = (await worker.GetAsync()).Value!;
        return existing.IsSuccess ? TypedResults.Ok(view) : TypedResults.Created($"/api/v1/workers/{id}", view);
    }

    /// <summary>Answers with the worker.</summary>
    public static async Task<Results<Ok<WorkerView>, ValidationProblem, ProblemHttpResult>> GetWorker(
        string citizenId, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.CitizenId("citizenId", citizenId, ChinaTime.DateOf(time.GetUtcNow()));
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var (worker, refused) = await ReadAsync(id!, scope, grains);
        return refused is not null ? refused : TypedResults.Ok(worker!);
    }

    /// <summary>Answers with the vouchers the worker holds.</summary>
    public static async Task<Results<Ok<IReadOnlyList<HeldVoucher>>, ValidationProblem, ProblemHttpResult>> GetWorkerVouchers(
        string citizenId, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.CitizenId("citizenId", citizenId, ChinaTime.DateOf(time.GetUtcNow()));
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var (worker, refused) = await ReadAsync(id!, scope, grains);
        return refused is not null ? refused : TypedResults.Ok(worker!.Vouchers);
    }

    /// <summary>Answers with the worker's archive.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ArchiveEntry>>, ValidationProblem, ProblemHttpResult>> GetWorkerArchive(
        string citizenId, AccessScope scope, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var id = validation.CitizenId("citizenId", citizenId, ChinaTime.DateOf(time.GetUtcNow()));
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var (_, refused) = await ReadAsync(id!, scope, grains);
        if (refused is not null)
        {
            return refused;
        }

        var archive = await grains.GetGrain<IWorkerGrain>(id!).GetArchiveAsync();
        return archive.IsSuccess ? TypedResults.Ok(archive.Value!) : ApiProblems.Rejection(archive);
    }

    /// <summary>The regions a worker's attributes name: insurance regions, household and residence.</summary>
    internal static IEnumerable<string> RegionsOf(WorkerAttributes attributes) =>
        attributes.UnemploymentInsurance.Select(r => r.RegionCode)
            .Append(attributes.HouseholdRegion)
            .Append(attributes.ResidenceRegion)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);

    /// <summary>The worker, when the caller is the worker or an authority over one of its regions; else the refusal.</summary>
    private static async Task<(WorkerView? Worker, ProblemHttpResult? Refused)> ReadAsync(string id, AccessScope scope, IGrainFactory grains)
    {
        if (!scope.IsWorker(id) && !scope.IsAuthority)
        {
            return (null, ApiProblems.OutOfScope());
        }

        var worker = await grains.GetGrain<IWorkerGrain>(id).ReadAsync();
        if (!worker.IsSuccess)
        {
            return (null, worker.Rejection == RejectionCode.WorkerNotRegistered
                ? EndpointConventions.NotFound(RejectionCode.WorkerNotRegistered, worker.Detail ?? "The worker is not registered.")
                : ApiProblems.Rejection(worker));
        }

        var view = worker.Value!;
        return scope.IsWorker(id) || RegionsOf(view.Attributes).Append(id[..6]).Any(scope.CanActInRegion)
            ? (view, null)
            : (null, ApiProblems.OutOfScope());
    }

    // The attributes as validated: the texts and codes trimmed, as their checks return them, so a code
    // read as valid is the code stored and compared (a category " CivilServant " would match no rule).
    private static WorkerAttributes? Validate(RequestValidation validation, WorkerAttributes attributes)
    {
        var before = validation.Errors.Count;
        var name = validation.Text("name", attributes.Name, MaxNameLength, required: false);
        var insurance = new List<InsuranceRecord>();
        if (validation.Count("unemploymentInsurance", attributes.UnemploymentInsurance, 0, MaxInsuranceRecords) is { } records)
        {
            for (var i = 0; i < records.Count; i++)
            {
                var region = validation.RegionCode($"unemploymentInsurance[{i}].regionCode", records[i].RegionCode);
                validation.Range($"unemploymentInsurance[{i}].months", records[i].Months, 0, MaxInsuranceMonths);
                insurance.Add(records[i] with { RegionCode = region ?? records[i].RegionCode });
            }
        }

        var categories = validation.Categories("categories", attributes.Categories, 20);
        var household = attributes.HouseholdRegion is null ? null : validation.RegionCode("householdRegion", attributes.HouseholdRegion);
        var residence = attributes.ResidenceRegion is null ? null : validation.RegionCode("residenceRegion", attributes.ResidenceRegion);
        return validation.Errors.Count != before
            ? null
            : attributes with { Name = name, UnemploymentInsurance = insurance, Categories = categories, HouseholdRegion = household, ResidenceRegion = residence };
    }
}
