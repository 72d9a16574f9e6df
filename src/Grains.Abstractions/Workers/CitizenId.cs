namespace OrleansVoucher.Grains.Workers;

/// <summary>
/// The citizen id number on a worker's social-security card: 6 digits of the registering region, the
/// birth date as <c>yyyyMMdd</c>, a 3-digit sequence and a check character computed with ISO 7064
/// MOD 11-2 (<c>X</c> stands for 10). Parse before any grain call: a malformed id is rejected at once.
/// </summary>
public static class CitizenId
{
    /// <summary>The length of an id.</summary>
    public const int Length = 18;

    private static readonly int[] s_weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>
    /// Normalizes <paramref name="value"/> (trims, upper-cases the check character) and checks it: 17
    /// digits, a real birth date not after <paramref name="today"/> and not before 1900, and the MOD 11-2
    /// check character.
    /// </summary>
    public static bool TryParse(string? value, DateOnly today, out string citizenId)
    {
        citizenId = "";
        if (value is null)
        {
            return false;
        }

        var candidate = value.Trim().ToUpperInvariant();
        if (candidate.Length != Length)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < Length - 1; i++)
        {
            var c = candidate[i];
            if (c is < '0' or > '9')
            {
                return false;
            }

            sum += (c - '0') * s_weights[i];
        }

        if (candidate[Length - 1] != CheckCharacters[sum % 11] || candidate[0] == '0')
        {
            return false;
        }

        if (!TryReadDate(candidate.AsSpan(6, 8), out var birth) || birth.Year < 1900 || birth > today)
        {
            return false;
        }

        citizenId = candidate;
        return true;
    }

    /// <summary>The check character for the first 17 digits of an id.</summary>
    public static char CheckCharacterOf(ReadOnlySpan<char> first17)
    {
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException("An id has 17 digits before its check character.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            if (first17[i] is < '0' or > '9')
            {
                throw new ArgumentException("The first 17 characters of an id are digits.", nameof(first17));
            }

            sum += (first17[i] - '0') * s_weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>The birth date in a valid id.</summary>
    public static DateOnly BirthDateOf(string citizenId)
    {
        ArgumentNullException.ThrowIfNull(citizenId);
        return citizenId.Length >= 14 && TryReadDate(citizenId.AsSpan(6, 8), out var birth)
            ? birth
            : throw new FormatException("A citizen id carries its holder's birth date as yyyyMMdd from its 7th character.");
    }

    /// <summary>
    /// Reads a <c>yyyyMMdd</c> date of digits, as <c>DateOnly.TryParseExact</c> with that format would,
    /// without its format parsing: every id checked on every request goes through here.
    /// </summary>
    private static bool TryReadDate(ReadOnlySpan<char> yyyyMMdd, out DateOnly date)
    {
        date = default;
        if (yyyyMMdd.Length != 8)
        {
            return false;
        }

        var value = 0;
        foreach (var c in yyyyMMdd)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        var (year, month, day) = (value / 10_000, value / 100 % 100, value % 100);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>The age in whole years on <paramref name="date"/> of the holder of a valid id.</summary>
    public static int AgeOn(string citizenId, DateOnly date)
    {
        var birth = BirthDateOf(citizenId);
        var age = date.Year - birth.Year;
        return date < birth.AddYears(age) ? age - 1 : age;
    }
}
