using Microsoft.Extensions.Options;

namespace OrleansVoucher.Api.Auth;

/// <summary>
/// Refuses to start without a usable way to check tokens: an issuer, an audience and at least one
/// signing key, each either a strong HMAC secret or an RSA/ECDSA public key (never a private key).
/// </summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Auth:Issuer is not set: set it to the issuer (iss) of the programme's identity provider.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Auth:Audience is not set: set it to the audience (aud) the identity provider issues tokens for.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Auth:ClockSkew must be from 0 to 5 minutes; it is {options.ClockSkew}.");
        }

        if (options.ValidatedTokenCacheSize < 0)
        {
            failures.Add($"Auth:ValidatedTokenCacheSize must be 0 (off) or more; it is {options.ValidatedTokenCacheSize}.");
        }

        if (options.SigningKeys.Count == 0)
        {
            failures.Add(
                $"Auth:SigningKeys is empty, so no token could be checked and the engine does not start (environment '{environment.EnvironmentName}'). " +
                "Configure the identity provider's public key: Auth:SigningKeys:0:KeyId and Auth:SigningKeys:0:PublicKeyPem (RSA or ECDSA). " +
                "The development key exists only in appsettings.Development.json.");
        }

        for (var i = 0; i < options.SigningKeys.Count; i++)
        {
            if (SigningKeys.Problem(options.SigningKeys[i]) is { } problem)
            {
                failures.Add($"Auth:SigningKeys:{i}: {problem}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
