using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Endpoints;

/// <summary>
/// <c>/api/v1/regions/{regionCode}/catalogues/{year}</c>: a region's occupation demand catalogue for a year
/// (R1). The region's authority publishes and adjusts it; every authority, institution and worker may
/// read it, as it is published.
/// </summary>
public static class CatalogueEndpoints
{
    /// <summary>The most occupations a catalogue lists.</summary>
    public const int MaxOccupations = 1000;

    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapCatalogueEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var maxBody = api.ServiceProvider.GetRequiredService<IOptions<RequestLimitsOptions>>().Value.MaxBulkBodyBytes;
        var group = api.MapGroup("/regions/{regionCode}/catalogues/{year}").WithTags("Catalogues");
        group.MapPut("/", PublishCatalogue)
            .WithName("PublishCatalogue")
            .WithSummary("Publishes a region's occupation catalogue for a year, replacing what was there (R1)")
            .RequireRoles(Roles.Authority)
            .WithRequestBodyLimit(maxBody)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity)
            .WithRequestExample("""
                {"occupations":[{"code":"4-10-01-02","name":"育婴员","kind":"operationSkill","trainingType":"就业技能培训","shortage":true,
                  "standards":[{"level":"elementary","subsidyFen":150000},{"level":null,"subsidyFen":100000}],
                  "uplifts":[{"category":"LowIncomeRural","percent":20}]}]}
                """);
        group.MapGet("/", GetCatalogue)
            .WithName("GetCatalogue")
            .WithSummary("A region's occupation catalogue for a year")
            .RequireRoles(Roles.Authority, Roles.Institution, Roles.Worker);
        group.MapPut("/occupations/{occupationCode}", PutOccupation)
            .WithName("PutOccupation")
            .WithSummary("Adds an occupation to a region's catalogue or replaces it")
            .RequireRoles(Roles.Authority)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/occupations/{occupationCode}", GetOccupation)
            .WithName("GetOccupation")
            .WithSummary("One occupation of a region's catalogue")
            .RequireRoles(Roles.Authority, Roles.Institution, Roles.Worker)
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapDelete("/occupations/{occupationCode}", RemoveOccupation)
            .WithName("RemoveOccupation")
            .WithSummary("Removes an occupation from a region's catalogue (a low-value programme moved out)")
            .RequireRoles(Roles.Authority);
        return api;
    }

    /// <summary>Publishes the whole catalogue.</summary>
    public static async Task<Results<Ok<CatalogueResponse>, ValidationProblem, ProblemHttpResult>> PublishCatalogue(
        string regionCode, string year, PublishCatalogueRequest request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        var catalogueYear = validation.Year("year", year);
        var entries = ValidateAll(validation, request.Occupations);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.CanActInRegion(region))
        {
            return ApiProblems.OutOfScope();
        }

        var catalogue = grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region!, catalogueYear!.Value));
        var published = await catalogue.PublishAsync(entries!);
        if (!published.IsSuccess)
        {
            return ApiProblems.Rejection(published);
        }

        return TypedResults.Ok(new CatalogueResponse(region!, catalogueYear.Value, [.. (await catalogue.ListAsync()).Select(CatalogueOccupation.From)]));
    }

    /// <summary>Answers with the catalogue (empty when nothing was published).</summary>
    public static async Task<Results<Ok<CatalogueResponse>, ValidationProblem>> GetCatalogue(
        string regionCode, string year, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        var catalogueYear = validation.Year("year", year);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var entries = await grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region!, catalogueYear!.Value)).ListAsync();
        return TypedResults.Ok(new CatalogueResponse(region!, catalogueYear.Value, [.. entries.Select(CatalogueOccupation.From)]));
    }

    /// <summary>Adds or replaces one occupation; the body's code must be the path's.</summary>
    public static async Task<Results<Ok<CatalogueOccupation>, ValidationProblem, ProblemHttpResult>> PutOccupation(
        string regionCode, string year, string occupationCode, CatalogueOccupation request, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        var catalogueYear = validation.Year("year", year);
        var code = validation.OccupationCode("occupationCode", occupationCode);
        var entry = request.Validate(validation, "");
        if (code is not null && entry is not null && entry.Code != code)
        {
            validation.AddError("code", "Must be the occupation code of the path.");
        }

        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.CanActInRegion(region))
        {
            return ApiProblems.OutOfScope();
        }

        var upserted = await grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region!, catalogueYear!.Value)).UpsertAsync(entry!);
        return upserted.IsSuccess ? TypedResults.Ok(CatalogueOccupation.From(entry!)) : ApiProblems.Rejection(upserted);
    }

    /// <summary>Answers with one occupation, or 404 <c>occupation-not-in-catalogue</c>.</summary>
    public static async Task<Results<Ok<CatalogueOccupation>, ValidationProblem, ProblemHttpResult>> GetOccupation(
        string regionCode, string year, string occupationCode, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        var catalogueYear = validation.Year("year", year);
        var code = validation.OccupationCode("occupationCode", occupationCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var entry = await grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region!, catalogueYear!.Value)).ReadAsync(code!);
        return entry is null
            ? EndpointConventions.NotFound(RejectionCode.OccupationNotInCatalogue, $"Occupation {code} is not in the {catalogueYear} catalogue of region {region}.")
            : TypedResults.Ok(CatalogueOccupation.From(entry));
    }

    /// <summary>Removes an occupation; removing one that is not listed changes nothing and succeeds.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveOccupation(
        string regionCode, string year, string occupationCode, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var region = validation.RegionCode("regionCode", regionCode);
        var catalogueYear = validation.Year("year", year);
        var code = validation.OccupationCode("occupationCode", occupationCode);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        if (!scope.CanActInRegion(region))
        {
            return ApiProblems.OutOfScope();
        }

        var removed = await grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(region!, catalogueYear!.Value)).RemoveAsync(code!);
        return removed.IsSuccess ? TypedResults.NoContent() : ApiProblems.Rejection(removed);
    }

    private static List<OccupationEntry>? ValidateAll(RequestValidation validation, IReadOnlyList<CatalogueOccupation>? occupations)
    {
        if (validation.Count("occupations", occupations, 0, MaxOccupations) is not { } listed)
        {
            return null;
        }

        var entries = new List<OccupationEntry>(listed.Count);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < listed.Count; i++)
        {
            if (listed[i].Validate(validation, $"occupations[{i}].") is { } entry)
            {
                if (!codes.Add(entry.Code))
                {
                    validation.AddError($"occupations[{i}].code", "Lists the same code as an earlier occupation.");
                }

                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>A catalogue.</summary>
    /// <param name="Occupations">Every occupation, at most 1,000; an empty list clears the catalogue.</param>
    public sealed record PublishCatalogueRequest(IReadOnlyList<CatalogueOccupation> Occupations);

    /// <summary>A region's catalogue for a year.</summary>
    /// <param name="RegionCode">The region.</param>
    /// <param name="Year">The year.</param>
    /// <param name="Occupations">Its occupations, by code.</param>
    public sealed record CatalogueResponse(string RegionCode, int Year, IReadOnlyList<CatalogueOccupation> Occupations);

    /// <summary>One occupation of a catalogue (R1, seed 004 table 1).</summary>
    /// <param name="Code">The national classification's code (<c>4-10-01-02</c>) or a local <c>L-</c> code.</param>
    /// <param name="Name">The occupation (work type), e.g. 育婴员; at most 100 characters.</param>
    /// <param name="Kind"><c>knowledgeSkill</c> (may be trained fully online) or <c>operationSkill</c> (needs offline practice).</param>
    /// <param name="Standards">The subsidy standard per certificate level, in fen; a null level is the standard without a level. 1 to 6, one per level.</param>
    /// <param name="TrainingType">The training type, e.g. 就业技能培训; at most 50 characters.</param>
    /// <param name="Shortage">Whether it is urgently needed (急需紧缺).</param>
    /// <param name="Uplifts">Uplifts of the standard for named worker categories, at most 20.</param>
    public sealed record CatalogueOccupation(
        string Code,
        string Name,
        SkillKind Kind,
        IReadOnlyList<LevelStandard> Standards,
        string? TrainingType = null,
        bool Shortage = false,
        IReadOnlyList<GroupUplift>? Uplifts = null)
    {
        /// <summary>The occupation of a domain entry.</summary>
        public static CatalogueOccupation From(OccupationEntry entry)
        {
            ArgumentNullException.ThrowIfNull(entry);
            return new CatalogueOccupation(entry.Code, entry.Name, entry.Kind, [.. entry.Standards], entry.TrainingType, entry.Shortage, [.. entry.Uplifts]);
        }

        /// <summary>Checks every field, naming failures under <paramref name="prefix"/>; the domain entry, or null.</summary>
        public OccupationEntry? Validate(RequestValidation validation, string prefix)
        {
            ArgumentNullException.ThrowIfNull(validation);
            var before = validation.Errors.Count;
            var code = validation.OccupationCode($"{prefix}code", Code);
            var name = validation.Text($"{prefix}name", Name, 100);
            var trainingType = validation.Text($"{prefix}trainingType", TrainingType, 50, required: false);
            validation.Defined($"{prefix}kind", Kind);
            if (validation.Count($"{prefix}standards", Standards, 1, 6) is { } standards)
            {
                var levels = new HashSet<SkillLevel?>();
                for (var i = 0; i < standards.Count; i++)
                {
                    validation.DefinedOrNull($"{prefix}standards[{i}].level", standards[i].Level);
                    validation.Fen($"{prefix}standards[{i}].subsidyFen", standards[i].SubsidyFen);
                    if (!levels.Add(standards[i].Level))
                    {
                        validation.AddError($"{prefix}standards[{i}].level", "Has a standard already.");
                    }
                }
            }

            // The categories as checked, trimmed: an uplift names a worker category exactly.
            var checkedUplifts = new List<GroupUplift>();
            if (validation.Count($"{prefix}uplifts", Uplifts, 0, 20) is { } uplifts)
            {
                for (var i = 0; i < uplifts.Count; i++)
                {
                    var category = validation.Category($"{prefix}uplifts[{i}].category", uplifts[i].Category);
                    validation.Range($"{prefix}uplifts[{i}].percent", uplifts[i].Percent, 0, 100);
                    checkedUplifts.Add(uplifts[i] with { Category = category ?? uplifts[i].Category });
                }
            }

            return validation.Errors.Count != before ? null : new OccupationEntry
            {
                Code = code!,
                Name = name!,
                TrainingType = trainingType,
                Kind = Kind,
                Shortage = Shortage,
                Standards = [.. Standards],
                Uplifts = checkedUplifts,
            };
        }
    }
}
