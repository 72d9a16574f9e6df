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
        return Prefix + code;
    }

    /// <summary>The code of a type URI of ours, or null.</summary>
    public static string? CodeOf(string? type) =>
        type is not null && type.StartsWith(Prefix, StringComparison.Ordinal) && type.Length > Prefix.Length ? type[Prefix.Length..] : null;
}
