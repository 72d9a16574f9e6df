using System.Security.Cryptography;

namespace OrleansVoucher.Grains.Vouchers;

/// <summary>
/// Voucher codes: 65 random bits from a cryptographic generator, written as 13 characters of Crockford's
/// base-32 alphabet (digits and letters without I, L, O and U, so nothing reads as something else), and
/// a 14th check character. The check is Damm's algorithm over the field of 32 elements: it catches every
/// single wrong character and every swap of two adjacent characters, so a mistyped or misread code is
/// rejected before any grain is called. Codes are shown in groups (<c>ABCD-EFGH-JKMN-PQ</c>); parsing
/// ignores hyphens and spaces, case, and reads O as 0 and I or L as 1.
/// </summary>
public static class VoucherCode
{
    /// <summary>The alphabet, in value order.</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Characters of random payload.</summary>
    public const int PayloadLength = 13;

    /// <summary>Characters of a canonical code, check character included.</summary>
    public const int Length = PayloadLength + 1;

    // GF(32) with the primitive polynomial x^5 + x^2 + 1.
    private const int FieldPolynomial = 0b100101;

    /// <summary>A new random code, canonical (no separators).</summary>
    public static string New()
    {
        Span<byte> random = stackalloc byte[PayloadLength];
        RandomNumberGenerator.Fill(random);
        return FromRandom(random);
    }

    /// <summary>
    /// <paramref name="count"/> new random codes, drawn from the cryptographic generator in one call
    /// (a bulk issuance batch needs thousands; one draw each costs a system call each).
    /// </summary>
    public static string[] NewMany(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = RandomNumberGenerator.GetBytes(count * PayloadLength);
        var codes = new string[count];
        for (var i = 0; i < count; i++)
        {
            codes[i] = FromRandom(random.AsSpan(i * PayloadLength, PayloadLength));
        }

        return codes;
    }

    private static string FromRandom(ReadOnlySpan<byte> random)
    {
        Span<char> code = stackalloc char[Length];
        var interim = 0;
        for (var i = 0; i < PayloadLength; i++)
        {
            var value = random[i] & 31;
            code[i] = Alphabet[value];
            interim = Step(interim, value);
        }

        code[PayloadLength] = Alphabet[CheckValue(interim)];
        return new string(code);
    }

    /// <summary>
    /// Reads a code as typed or scanned and checks it; on success <paramref name="code"/> is canonical.
    /// </summary>
    public static bool TryParse(string? value, out string code)
    {
        code = "";
        if (value is null)
        {
            return false;
        }

        // The check runs as the characters are read: each value is looked up once, not again by IsValid.
        Span<char> canonical = stackalloc char[Length];
        var length = 0;
        var interim = 0;
        foreach (var raw in value)
        {
            if (raw is '-' or ' ')
            {
                continue;
            }

            var digit = ValueOf(raw);
            if (length == Length || digit < 0)
            {
                return false;
            }

            canonical[length++] = Alphabet[digit];
            interim = Step(interim, digit);
        }

        if (length != Length || interim != 0)
        {
            return false;
        }

        code = new string(canonical);
        return true;
    }

    /// <summary>The code in groups of four for display.</summary>
    public static string Format(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return string.Join('-', code.Chunk(4).Select(chunk => new string(chunk)));
    }

    /// <summary>Whether a canonical code's check character matches.</summary>
    public static bool IsValid(ReadOnlySpan<char> canonical)
    {
        if (canonical.Length != Length)
        {
            return false;
        }

        var interim = 0;
        foreach (var c in canonical)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }

            interim = Step(interim, value);
        }

        return interim == 0;
    }

    /// <summary>The check character of a 13-character payload.</summary>
    public static char CheckCharacterOf(ReadOnlySpan<char> payload)
    {
        if (payload.Length != PayloadLength)
        {
            throw new ArgumentException($"A payload has {PayloadLength} characters.", nameof(payload));
        }

        var interim = 0;
        foreach (var c in payload)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new ArgumentException($"'{c}' is not in the code alphabet.", nameof(payload));
            }

            interim = Step(interim, value);
        }

        return Alphabet[CheckValue(interim)];
    }

    /// <summary>The value of a typed character, with Crockford's readings; -1 when it is not one.</summary>
    private static int ValueOf(char c) => c < s_asciiValues.Length ? s_asciiValues[c] : TypedValueOf(c);

    // ValueOf for every ASCII character, worked out once by TypedValueOf.
    private static readonly sbyte[] s_asciiValues = [.. Enumerable.Range(0, 128).Select(c => (sbyte)TypedValueOf((char)c))];

    private static int TypedValueOf(char c) => char.ToUpperInvariant(c) switch
    {
        'O' => 0,
        'I' or 'L' => 1,
        'U' => -1,
        var upper => Alphabet.IndexOf(upper, StringComparison.Ordinal),
    };

    // Damm's quasigroup x * y = 2x + y over GF(32): totally anti-symmetric because 2 != 1, so
    // (c * x) * y = (c * y) * x only when x = y, which is what catches adjacent swaps.
    private static int Step(int interim, int value) => Times2(interim) ^ value;

    // The check c makes the final step 0: 2 * interim + c = 0, so c = 2 * interim (characteristic 2).
    private static int CheckValue(int interim) => Times2(interim);

    private static int Times2(int x)
    {
        x <<= 1;
        return (x & 32) != 0 ? x ^ FieldPolynomial : x;
    }
}
