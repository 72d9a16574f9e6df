using System.Globalization;
using OrleansVoucher.Api.Endpoints;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Api.Bulk;

/// <summary>
/// Turns the fields of one uploaded row into a <see cref="BulkRow"/>, or a rejection naming what is
/// wrong. Field names are matched without case and underscores (<c>citizen_id</c> is <c>citizenId</c>).
/// </summary>
internal sealed class BulkRowParser(DateOnly today, string? campaignOccupation)
{
    /// <summary>The fields a row may have, by canonical name.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal)
    {
        CitizenIdField, NameField, OccupationField, LevelField, InstitutionField, CategoriesField, HouseholdField, ResidenceField, InsuranceField,
    };

    public const string CitizenIdField = "citizenid";
    public const string NameField = "name";
    public const string OccupationField = "occupationcode";
    public const string LevelField = "level";
    public const string InstitutionField = "institutionid";
    public const string CategoriesField = "categories";
    public const string HouseholdField = "householdregion";
    public const string ResidenceField = "residenceregion";
    public const string InsuranceField = "insurance";

    // A name as PUT /workers takes it: a worker registered by an upload can be registered again by the API.
    private const int MaxTextLength = WorkerEndpoints.MaxNameLength;

    // Enum.GetNames copies its array on every call; a roster names a level on every row.
    private static readonly string[] s_levelNames = Enum.GetNames<SkillLevel>();

    /// <summary>The canonical name of a field as written in a header or a JSON member.</summary>
    public static string Canonical(string name) => name.Trim().Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>Reads one row; <paramref name="value"/> gives a field's text, or null when the row lacks it.</summary>
    public (BulkRow? Row, BulkRejection? Rejection) Parse(long rowNumber, Func<string, string?> value)
    {
        var rawId = Text(value(CitizenIdField));
        if (rawId is null)
        {
            return Reject(BulkRejectionCodes.MalformedRow, "The row has no citizen id.");
        }

        if (!CitizenId.TryParse(rawId, today, out var citizenId))
        {
            return Reject(BulkRejectionCodes.Of(RejectionCode.InvalidCitizenId), $"'{Clip(rawId)}' is not a valid citizen id.");
        }

        var occupation = Text(value(OccupationField)) ?? campaignOccupation;
        if (occupation is not null && !OccupationCode.IsValid(occupation))
        {
            return Reject(BulkRejectionCodes.Of(RejectionCode.InvalidOccupationCode), $"'{Clip(occupation)}' is not an occupation code.");
        }

        SkillLevel? level = null;
        if (Text(value(LevelField)) is { } levelText)
        {
            if (int.TryParse(levelText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && Enum.IsDefined((SkillLevel)number))
            {
                level = (SkillLevel)number;
            }
            else if (Array.Find(s_levelNames, name => string.Equals(name, levelText, StringComparison.OrdinalIgnoreCase)) is { } named)
            {
                // One name exactly: Enum.TryParse would read "Technician, Intermediate" as the two values or'ed, another level.
                level = Enum.Parse<SkillLevel>(named);
            }
            else
            {
                return Reject(BulkRejectionCodes.MalformedRow, $"'{Clip(levelText)}' is not a skill level (1-5).");
            }
        }

        // Checked as the API checks an institution id anywhere: it keys the institution the job asks.
        var institution = Text(value(InstitutionField));
        if (institution is not null && new RequestValidation().InstitutionId(InstitutionField, institution) is null)
        {
            return Reject(BulkRejectionCodes.MalformedRow, $"The institution id must be 2 to {DomainFieldValidation.MaxInstitutionIdLength} letters and digits.");
        }

        var attributes = Attributes(value, out var problem);
        if (problem is not null)
        {
            return Reject(BulkRejectionCodes.MalformedRow, problem);
        }

        return (new BulkRow(rowNumber, citizenId, occupation, level, institution, attributes), null);

        (BulkRow?, BulkRejection?) Reject(string code, string detail) => (null, new BulkRejection(rowNumber, rawId is null ? null : Clip(rawId), code, detail));
    }

    private static WorkerAttributes? Attributes(Func<string, string?> value, out string? problem)
    {
        problem = null;
        var name = Text(value(NameField));
        var categories = Text(value(CategoriesField));
        var household = Text(value(HouseholdField));
        var residence = Text(value(ResidenceField));
        var insurance = Text(value(InsuranceField));
        if (name is null && categories is null && household is null && residence is null && insurance is null)
        {
            return null;
        }

        if (name is { Length: > MaxTextLength })
        {
            problem = $"The name is longer than {MaxTextLength} characters.";
            return null;
        }

        // The name and the categories by the API's own checks: no control characters or broken
        // surrogate pairs in a name, categories such as CivilServant that campaign rules can match.
        var validation = new RequestValidation();
        validation.Text(NameField, name, MaxTextLength, required: false);
        var checkedCategories = validation.Categories(CategoriesField, (categories ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), 20);
        if (validation.HasErrors)
        {
            var (field, messages) = validation.Errors.First();
            problem = $"{field}: {messages[0]}";
            return null;
        }

        // As PUT /workers takes them: months that add up without overflowing when eligibility counts them.
        var parts = (insurance ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length > WorkerEndpoints.MaxInsuranceRecords)
        {
            problem = $"The row lists more than {WorkerEndpoints.MaxInsuranceRecords} insurance records.";
            return null;
        }

        var records = new List<InsuranceRecord>();
        foreach (var part in parts)
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var months)
                || months > WorkerEndpoints.MaxInsuranceMonths)
            {
                problem = $"Insurance '{Clip(part)}' is not region:months, with 0 to {WorkerEndpoints.MaxInsuranceMonths} months.";
                return null;
            }

            records.Add(new InsuranceRecord(part[..colon], months));
        }

        var attributes = new WorkerAttributes
        {
            Name = name,
            Categories = checkedCategories,
            HouseholdRegion = household,
            ResidenceRegion = residence,
            UnemploymentInsurance = records,
        };
        problem = attributes.Validate();
        return problem is null ? attributes : null;
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
