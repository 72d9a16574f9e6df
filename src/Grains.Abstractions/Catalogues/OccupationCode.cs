using System.Text.RegularExpressions;

namespace OrleansVoucher.Grains.Catalogues;

/// <summary>
/// Occupation codes: the national classification's <c>4-10-01-02</c> form (category, group, subgroup,
/// occupation, optionally a 2-digit work type), or a region-local <c>L-</c> code for programmes the
/// classification does not code (e.g. <c>L-SYB</c> for start-your-business training).
/// </summary>
public static partial class OccupationCode
{
    /// <summary>Whether <paramref name="value"/> is an occupation code.</summary>
    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex(@"^(?:[1-8]-\d{2}-\d{2}-\d{2}(?:-\d{2})?|L-[A-Z0-9]{1,16})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
