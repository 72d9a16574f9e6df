using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansVoucher.Grains.Classes;

/// <summary>
/// Signed, time-limited check-in tokens (R13): <c>base64url(class|session|expiry)</c> "." <c>base64url(HMAC-SHA256)</c>.
/// The institution holds a secret; each class holds a key derived from it for that class alone, so a
/// class can check its tokens without calling the institution, and a token for one class is worthless
/// for another.
/// </summary>
internal static class CheckInTokens
{
    /// <summary>The longest validity of a token.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromMinutes(15);

    /// <summary>A new institution secret.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The key of one class, derived from its institution's secret.</summary>
    public static byte[] ClassKeyFrom(byte[] institutionSecret, string classKey) =>
        HMACSHA256.HashData(institutionSecret, Encoding.UTF8.GetBytes($"check-in-class:{classKey}"));

    /// <summary>A token for a session of a class, valid until <paramref name="expiresAt"/>.</summary>
    public static string Create(byte[] classTokenKey, string classKey, int session, DateTimeOffset expiresAt)
    {
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{classKey}|{session}|{expiresAt.ToUnixTimeSeconds()}"));
        var signature = HMACSHA256.HashData(classTokenKey, payload);
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Whether <paramref name="token"/> is a genuine, unexpired token for this class and session.</summary>
    public static bool IsValid(byte[] classTokenKey, string? token, string classKey, int session, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        byte[] payload;
        byte[] signature;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        // Constant-time: a forger learns nothing from how long the comparison took.
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(classTokenKey, payload), signature))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('|');
        return parts.Length == 3
            && parts[0] == classKey
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var tokenSession) && tokenSession == session
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry) && DateTimeOffset.FromUnixTimeSeconds(expiry) > now;
    }
}
