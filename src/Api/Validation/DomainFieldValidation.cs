using System.Globalization;
using OrleansVoucher.Grains.Institutions;

namespace OrleansVoucher.Api.Validation;

/// <summary>
/// The programme's identifiers and values, checked at the edge so that a malformed one never reaches a
/// grain: voucher codes (format and check character), institution, campaign, class and roster ids,
/// enumeration values, years, positions and reasons. Each returns the value to use (canonical where the
/// format allows), or null after recording what is wrong with the field.
/// </summary>
public static class DomainFieldValidation
{
    /// <summary>The longest reason (for a revocation, a suspension, a rejection, …).</summary>
    public const int MaxReasonLength = 500;

    /// <summary>The longest id of an institution: 32 letters and digits, e.g. an 18-character unified social credit code.</summary>
    public const int MaxInstitutionIdLength = 32;

    /// <summary>The longest campaign id.</summary>
    public const int MaxCampaignIdLength = 64;

    /// <summary>The longest class code or roster number.</summary>
    public const int MaxCodeLength = 32;

    /// <summary>
    /// A voucher code as typed or scanned: 14 characters of Crockford's base 32 whose last is the check
    /// character, in groups or not, in either case. Returns the canonical code.
    /// </summary>
    public static string? VoucherCode(this RequestValidation validation, string field, string? value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (Present(validation, field, value) is not { } present)
        {
            return null;
        }

        if (present.Length <= 2 * Grains.Vouchers.VoucherCode.Length && Grains.Vouchers.VoucherCode.TryParse(present, out var code))
        {
            return code;
        }

        validation.AddError(field, "Must be a 14-character voucher code such as ABCD-EFGH-JKMN-PQ whose last character checks the others; check it for a mistyped character.");
        return null;
    }

    /// <summary>An institution id: 2 to 32 ASCII letters and digits (e.g. its unified social credit code).</summary>
    public static string? InstitutionId(this RequestValidation validation, string field, string? value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (Present(validation, field, value) is not { } present)
        {
            return null;
        }

        if (present.Length is >= 2 and <= MaxInstitutionIdLength && present.All(char.IsAsciiLetterOrDigit))
        {
            return present;
        }

        validation.AddError(field, $"Must be an institution id of 2 to {MaxInstitutionIdLength} letters and digits.");
        return null;
    }

    /// <summary>A campaign id: 1 to 64 ASCII letters, digits, hyphens and underscores.</summary>
    public static string? CampaignId(this RequestValidation validation, string field, string? value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (Present(validation, field, value) is not { } present)
        {
            return null;
        }

        if (present.Length <= MaxCampaignIdLength && present.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return present;
        }

        validation.AddError(field, $"Must be a campaign id of 1 to {MaxCampaignIdLength} letters, digits, '-' and '_'.");
        return null;
    }

    /// <summary>An institution's class code, or a roster number: 1 to 32 ASCII letters, digits and hyphens.</summary>
    public static string? Code(this RequestValidation validation, string field, string? value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (Present(validation, field, value) is not { } present)
        {
            return null;
        }

        if (present.Length <= MaxCodeLength && present.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return present;
        }

        validation.AddError(field, $"Must be 1 to {MaxCodeLength} letters, digits and '-'.");
        return null;
    }

    /// <summary>A worker category (<c>CivilServant</c>, <c>LowIncomeRural</c>): 1 to 50 ASCII letters, digits, '-' and '_', starting with a letter.</summary>
    public static string? Category(this RequestValidation validation, string field, string? value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (Present(validation, field, value) is not { } present)
        {
            return null;
        }

        if (present.Length <= 50 && char.IsAsciiLetter(present[0]) && present.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return present;
        }

        validation.AddError(field, "Must be a category name of 1 to 50 letters, digits, '-' and '_', starting with a letter.");
        return null;
    }

    /// <summary>A value of <typeparamref name="TEnum"/> that the enumeration defines.</summary>
    public static TEnum? Defined<TEnum>(this RequestValidation validation, string field, TEnum value)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (Enum.IsDefined(value))
        {
            return value;
        }

        validation.AddError(field, $"Must be one of {string.Join(", ", Enum.GetNames<TEnum>().Select(ToCamelCase))}.");
        return null;
    }

    /// <summary>An optional value of <typeparamref name="TEnum"/>: null stays null.</summary>
    public static bool DefinedOrNull<TEnum>(this RequestValidation validation, string field, TEnum? value)
        where TEnum : struct, Enum =>
        value is not { } present || validation.Defined(field, present) is not null;

    /// <summary>A catalogue year, 2000 to 2200, given as digits (a path segment).</summary>
    public static int? Year(this RequestValidation validation, string field, string? value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (value is { Length: 4 } && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return validation.Year(field, year);
        }

        validation.AddError(field, "Must be a year from 2000 to 2200.");
        return null;
    }

    /// <summary>A catalogue year, 2000 to 2200.</summary>
    public static int? Year(this RequestValidation validation, string field, int value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return validation.Range(field, value, 2000, 2200);
    }

    /// <summary>A WGS-84 position; null when absent and not <paramref name="required"/>.</summary>
    public static GeoPoint? Position(this RequestValidation validation, string field, double? latitude, double? longitude, bool required)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (latitude is null || longitude is null)
        {
            if (required || latitude is not null || longitude is not null)
            {
                validation.AddError(field, "Needs a latitude and a longitude.");
            }

            return null;
        }

        return validation.Coordinates(field, latitude.Value, longitude.Value) ? new GeoPoint(latitude.Value, longitude.Value) : null;
    }

    /// <summary>A reason: 1 to 500 characters of text.</summary>
    public static string? Reason(this RequestValidation validation, string field, string? value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return validation.Text(field, value, MaxReasonLength);
    }

    /// <summary>
    /// A list of at most <paramref name="max"/> items (at least <paramref name="min"/>), none of them null
    /// (JSON <c>[null]</c> binds to a list of non-nullable items all the same); null when it is not one.
    /// </summary>
    public static IReadOnlyList<T>? Count<T>(this RequestValidation validation, string field, IReadOnlyList<T>? items, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var count = items?.Count ?? 0;
        if (count < min || count > max)
        {
            validation.AddError(field, $"Must list {min} to {max} items.");
            return null;
        }

        if (items is not null && items.Any(item => item is null))
        {
            validation.AddError(field, "Must not list null.");
            return null;
        }

        return items ?? [];
    }

    /// <summary>
    /// A list of at most <paramref name="max"/> worker categories (<see cref="Category"/>), each as checked,
    /// trimmed: categories are compared exactly, so the stored one must be the checked one. Empty when
    /// the list is not one (its errors are recorded).
    /// </summary>
    public static IReadOnlyList<string> Categories(this RequestValidation validation, string field, IReadOnlyList<string>? values, int max)
    {
        var categories = new List<string>();
        if (validation.Count(field, values, 0, max) is { } listed)
        {
            for (var i = 0; i < listed.Count; i++)
            {
                categories.Add(validation.Category($"{field}[{i}]", listed[i]) ?? listed[i]);
            }
        }

        return categories;
    }

    /// <summary>An instant between the years 2000 and 2200, as the programme's dates are.</summary>
    public static DateTimeOffset? Instant(this RequestValidation validation, string field, DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (value.UtcDateTime.Year is < 2000 or >= 2200)
        {
            validation.AddError(field, "Must be a time between the years 2000 and 2200.");
            return null;
        }

        return value;
    }

    /// <summary>A name in camel case, as the API writes enumeration values: <c>FaceValue</c> → <c>faceValue</c>.</summary>
    public static string ToCamelCase(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static string? Present(RequestValidation validation, string field, string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            validation.AddError(field, "Is required.");
            return null;
        }

        return trimmed;
    }
}
