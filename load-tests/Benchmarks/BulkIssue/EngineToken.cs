using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansVoucher.LoadTests.Benchmarks.BulkIssue;

/// <summary>
/// A bearer token for the engine child, which runs with its development configuration: signed HS256
/// with the development key and carrying the issuer and audience its settings files name.
/// </summary>
internal static class EngineToken
{
    public static string ForAuthority(string engineDirectory, string subject, string region, TimeSpan lifetime) =>
        For(engineDirectory, "authority", subject, region, lifetime);

    /// <summary>A token for <paramref name="role"/> (authority, institution or worker) and <paramref name="subject"/>; <paramref name="region"/> only for an authority.</summary>
    public static string For(string engineDirectory, string role, string subject, string? region, TimeSpan lifetime)
    {
        using var settings = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(engineDirectory, "appsettings.json")));
        using var development = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(engineDirectory, "appsettings.Development.json")));
        var auth = settings.RootElement.GetProperty("Auth");
        var key = development.RootElement.GetProperty("Auth").GetProperty("SigningKeys")[0];
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = key.GetProperty("KeyId").GetString()! };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = auth.GetProperty("Issuer").GetString()!,
            ["aud"] = auth.GetProperty("Audience").GetString()!,
            ["sub"] = subject,
            ["role"] = role,
            ["iat"] = now,
            ["nbf"] = now - 60,
            ["exp"] = now + (long)lifetime.TotalSeconds,
        };
        if (region is not null)
        {
            payload["region"] = region;
        }

        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = HMACSHA256.HashData(Convert.FromBase64String(key.GetProperty("HmacSecret").GetString()!), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
