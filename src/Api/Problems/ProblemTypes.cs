using System.Collections.Frozen;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Problem <c>type</c> URIs. They are URNs, <c>urn:orleansvoucher:problem:&lt;code&gt;</c>: stable
/// identifiers to compare, not addresses to fetch (RFC 9457 §3.1.1); the codes are described in the
/// OpenAPI document and in the API's README.
/// </summary>
public static class ProblemTypes
{
    /// <summary>What every problem type starts with.</summary>
    public const string Prefix = "urn:orleansvoucher:problem:";

    /// <summary>The type URI of a code.</summary>
    public static string For(string code)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        return s_known.TryGetValue(code, out var type) ? type : Prefix + code;
    }

    // The types of our codes, made once: every problem names one.
    private static readonly FrozenDictionary<string, string> s_known =
        ProblemCodes.All.ToFrozenDictionary(code => code, code => Prefix + code, StringComparer.Ordinal);

    /// <summary>The code of a type URI of ours, or null.</summary>
    public static string? CodeOf(string? type) =>
        type is not null && type.StartsWith(Prefix, StringComparison.Ordinal) && type.Length > Prefix.Length ? type[Prefix.Length..] : null;
}
