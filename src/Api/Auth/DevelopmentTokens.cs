using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansVoucher.Api.Auth;

/// <summary>Signs tokens with a configured HMAC key: the development key, for local use and tests.</summary>
public static class DevelopmentTokens
{
    /// <summary>
    /// A token for <paramref name="role"/> and <paramref name="subject"/> (with <paramref name="region"/>
    /// for an authority), valid from <paramref name="now"/> for <paramref name="lifetime"/>, signed with
    /// the first HMAC key of <paramref name="options"/>.
    /// </summary>
    public static string Issue(AuthOptions options, string role, string subject, string? region, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = options.SigningKeys.FirstOrDefault(k => !string.IsNullOrEmpty(k.HmacSecret))
            ?? throw new InvalidOperationException("No HMAC signing key is configured (Auth:SigningKeys with HmacSecret); only the development configuration has one.");
        var claims = new List<Claim> { new(ClaimNames.Subject, subject), new(ClaimNames.Role, role) };
        if (region is not null)
        {
            claims.Add(new Claim(ClaimNames.Region, region));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKeys.Create(key), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
