namespace OrleansVoucher.Grains.Regions;

/// <summary>
/// Six-digit administrative region codes: two digits of province, two of city, two of district. A code
/// ending in <c>0000</c> is a province (or a municipality such as Shanghai, <c>310000</c>), one ending
/// in <c>00</c> a city.
/// </summary>
public static class RegionCode
{
    /// <summary>Whether <paramref name="value"/> is six digits not starting with 0.</summary>
    public static bool IsValid(string? value) =>
        value is { Length: 6 } && value[0] != '0' && value.All(c => c is >= '0' and <= '9');

    /// <summary>
    /// Whether region <paramref name="inner"/> lies within <paramref name="outer"/>: the same code, a city
    /// or district of a province, or a district of a city.
    /// </summary>
    public static bool Contains(string outer, string inner)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(inner);
        if (outer.EndsWith("0000", StringComparison.Ordinal))
        {
            return inner.StartsWith(outer.AsSpan(0, 2), StringComparison.Ordinal);
        }

        return outer.EndsWith("00", StringComparison.Ordinal)
            ? inner.StartsWith(outer.AsSpan(0, 4), StringComparison.Ordinal)
            : string.Equals(outer, inner, StringComparison.Ordinal);
    }
}
