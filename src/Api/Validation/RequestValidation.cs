using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Problems;

namespace OrleansVoucher.Api.Validation;

/// <summary>
/// Collects what is wrong with a request's values, field by field, and answers with one 400
/// <c>validation-failed</c> problem naming every field. Each check returns the value to use (normalized
/// where the format allows, e.g. a citizen id's check character upper-cased), or null when invalid.
/// The formats are the domain's own (<see cref="Grains.Workers.CitizenId"/>, <see cref="Grains.Regions.RegionCode"/>,
/// <see cref="Grains.Catalogues.OccupationCode"/>).
/// </summary>
/// <example>
/// <code>
/// var validation = new RequestValidation();
/// var citizenId = validation.CitizenId("citizenId", body.CitizenId, today);
/// var name = validation.Text("name", body.Name, maxLength: 100);
/// if (validation.HasErrors) return validation.Problem();
/// </code>
/// </example>
public sealed class RequestValidation
{
    /// <summary>The largest amount of money the API accepts, in fen: ¥10 billion, above any campaign budget.</summary>
    public const long MaxFen = 1_000_000_000_000;

    /// <summary>The default longest text field.</summary>
    public const int DefaultMaxTextLength = 200;

    // Made at the first failure: most requests are valid, and every request makes a validation.
    private Dictionary<string, List<string>>? _errors;

    /// <summary>Whether any check failed.</summary>
    public bool HasErrors => _errors is { Count: > 0 };

    /// <summary>The failures so far, by field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors =>
        _errors?.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal) ?? new Dictionary<string, string[]>(StringComparer.Ordinal);

    /// <summary>Records a failure of <paramref name="field"/>.</summary>
    public void AddError(string field, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentException.ThrowIfNullOrEmpty(message);
        _errors ??= new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>A citizen id: 18 characters, a plausible birth date, the ISO 7064 MOD 11-2 check character.</summary>
    public string? CitizenId(string field, string? value, DateOnly today)
    {
        if (Required(field, value) is not { } present)
        {
            return null;
        }

        if (Grains.Workers.CitizenId.TryParse(present, today, out var citizenId))
        {
            return citizenId;
        }

        AddError(field, "Must be an 18-character citizen id with a valid birth date and check character.");
        return null;
    }

    /// <summary>A 6-digit administrative region code.</summary>
    public string? RegionCode(string field, string? value)
    {
        if (Required(field, value) is not { } present)
        {
            return null;
        }

        if (Grains.Regions.RegionCode.IsValid(present))
        {
            return present;
        }

        AddError(field, "Must be a 6-digit administrative region code, e.g. 350200.");
        return null;
    }

    /// <summary>An occupation code of the national classification (<c>4-10-01-02</c>) or a local <c>L-</c> code.</summary>
    public string? OccupationCode(string field, string? value)
    {
        if (Required(field, value) is not { } present)
        {
            return null;
        }

        if (Grains.Catalogues.OccupationCode.IsValid(present))
        {
            return present;
        }

        AddError(field, "Must be an occupation code such as 4-10-01-02, or a local code such as L-SYB.");
        return null;
    }

    /// <summary>A WGS-84 position: latitude −90 to 90, longitude −180 to 180, both finite.</summary>
    public bool Coordinates(string field, double latitude, double longitude)
    {
        var valid = true;
        if (!double.IsFinite(latitude) || latitude is < -90 or > 90)
        {
            AddError($"{field}.latitude", "Must be between -90 and 90.");
            valid = false;
        }

        if (!double.IsFinite(longitude) || longitude is < -180 or > 180)
        {
            AddError($"{field}.longitude", "Must be between -180 and 180.");
            valid = false;
        }

        return valid;
    }

    /// <summary>An amount of money in integer fen (¥0.01), from 0 to <paramref name="max"/>.</summary>
    public long? Fen(string field, long value, long max = MaxFen)
    {
        if (value < 0 || value > max)
        {
            AddError(field, $"Must be an amount in fen from 0 to {max}.");
            return null;
        }

        return value;
    }

    /// <summary>An integer in a range.</summary>
    public int? Range(string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            AddError(field, $"Must be from {min} to {max}.");
            return null;
        }

        return value;
    }

    /// <summary>
    /// A text: trimmed, at most <paramref name="maxLength"/> characters, without control characters or
    /// broken surrogate pairs; required unless <paramref name="required"/> is false (then null or
    /// empty give null).
    /// </summary>
    public string? Text(string field, string? value, int maxLength = DefaultMaxTextLength, bool required = true)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            if (required)
            {
                AddError(field, "Is required.");
            }

            return null;
        }

        if (trimmed.Length > maxLength)
        {
            AddError(field, $"Must be at most {maxLength} characters.");
            return null;
        }

        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (char.IsControl(c))
            {
                AddError(field, "Must not contain control characters.");
                return null;
            }

            if (char.IsHighSurrogate(c) && i + 1 < trimmed.Length && char.IsLowSurrogate(trimmed[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                AddError(field, "Must be valid Unicode text.");
                return null;
            }
        }

        return trimmed;
    }

    /// <summary>The 400 <c>validation-failed</c> problem naming every failed field.</summary>
    public ValidationProblem Problem() =>
        TypedResults.ValidationProblem(
            Errors,
            detail: "One or more fields are invalid; errors names each.",
            title: ApiProblems.TitleOf(ProblemCodes.ValidationFailed),
            type: ProblemTypes.For(ProblemCodes.ValidationFailed),
            extensions: new Dictionary<string, object?> { [ApiProblems.CodeMember] = ProblemCodes.ValidationFailed });

    private string? Required(string field, string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            AddError(field, "Is required.");
            return null;
        }

        return trimmed;
    }
}
