using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansVoucher.Api.Idempotency;

/// <summary>Reads <c>Idempotency-Key</c> headers and derives record keys and request fingerprints.</summary>
public static class IdempotencyKeys
{
    /// <summary>The request header.</summary>
    public const string HeaderName = "Idempotency-Key";

    /// <summary>The response header marking a replayed response.</summary>
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    /// <summary>The longest key.</summary>
    public const int MaxLength = 255;

    /// <summary>
    /// Reads a key: one header value of 1–255 printable ASCII characters other than <c>"</c>, optionally written as a
    /// structured-field string (<c>"…"</c>, as the IETF draft has it).
    /// </summary>
    public static bool TryRead(string? value, out string key)
    {
        key = "";
        if (value is null)
        {
            return false;
        }

        var span = value.AsSpan();
        if (span.Length >= 2 && span[0] == '"' && span[^1] == '"')
        {
            span = span[1..^1];
        }

        if (span.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in span)
        {
            if (c is < ' ' or > '~' or '"')
            {
                return false;
            }
        }

        key = span.ToString();
        return true;
    }

    /// <summary>
    /// The grain key of a caller's key: a SHA-256 of both, so records of different callers never meet and
    /// no citizen id appears in storage keys or runtime logs.
    /// </summary>
    public static string GrainKey(string principal, string key)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(key);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{principal}\n{key}"));
        return Base64Url.EncodeToString(hash);
    }

    /// <summary>The fingerprint of a request: SHA-256 over its method, path, query and body.</summary>
    public static string Fingerprint(string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{method}\n{pathAndQuery}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
