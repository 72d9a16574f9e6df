using System.Text.RegularExpressions;

namespace OrleansVoucher.Api.Logging;

/// <summary>
/// Masks personal and secret values before they reach a log: citizen ids keep their first four and
/// last four characters (<c>3501**********1234</c>), enough to tell records apart without naming the
/// person; bearer tokens and JSON web tokens are replaced whole.
/// </summary>
public static partial class Redact
{
    /// <summary>What a token is replaced with.</summary>
    public const string TokenMask = "[token]";

    /// <summary>A citizen id with all but its first four and last four characters masked.</summary>
    public static string CitizenId(string? citizenId)
    {
        if (string.IsNullOrEmpty(citizenId))
        {
            return "";
        }

        if (citizenId.Length <= 8)
        {
            return new string('*', citizenId.Length);
        }

        return string.Create(citizenId.Length, citizenId, static (span, id) =>
        {
            span.Fill('*');
            id.AsSpan(0, 4).CopyTo(span);
            id.AsSpan(id.Length - 4).CopyTo(span[^4..]);
        });
    }

    /// <summary>
    /// <paramref name="text"/> with every citizen-id-shaped run (17 digits and a digit or X, not part of
    /// a longer run of digits) masked, and every bearer token or JSON web token replaced.
    /// </summary>
    public static string Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!MayContainSecret(text))
        {
            return text;
        }

        var masked = Secrets().Replace(text, static match =>
            match.Groups["id"].Success ? CitizenId(match.Value) : TokenMask);
        return masked;
    }

    /// <summary>Whether <paramref name="text"/> has anything <see cref="Text"/> would mask.</summary>
    public static bool MayContainSecret(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Secrets().IsMatch(text);
    }

    // A citizen id: 17 digits then a digit or X, with no digit or letter glued to either side.
    // A JSON web token: three base64url segments, the first starting "eyJ" (an encoded '{"').
    // A bearer credential as written in an Authorization header.
    [GeneratedRegex(
        @"(?<id>(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z]))|(?<jwt>eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)|(?<bearer>(?i:bearer)\s+[A-Za-z0-9._~+/=-]+)",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Secrets();
}
