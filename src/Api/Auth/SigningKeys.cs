using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace OrleansVoucher.Api.Auth;

/// <summary>Turns configured signing keys into the keys and algorithms token validation uses.</summary>
internal static class SigningKeys
{
    /// <summary>The smallest HMAC secret accepted: 256 bits, as HS256 requires.</summary>
    public const int MinHmacBytes = 32;

    /// <summary>The algorithms a token may be signed with; never <c>none</c>.</summary>
    public static readonly string[] Algorithms =
    [
        SecurityAlgorithms.HmacSha256,
        SecurityAlgorithms.RsaSha256,
        SecurityAlgorithms.RsaSsaPssSha256,
        SecurityAlgorithms.EcdsaSha256,
        SecurityAlgorithms.EcdsaSha384,
        SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>What is wrong with a configured key, or null.</summary>
    public static string? Problem(SigningKeyOptions key)
    {
        if (string.IsNullOrWhiteSpace(key.KeyId))
        {
            return "KeyId is not set.";
        }

        var hasHmac = !string.IsNullOrEmpty(key.HmacSecret);
        var hasPem = !string.IsNullOrEmpty(key.PublicKeyPem);
        if (hasHmac == hasPem)
        {
            return "set exactly one of HmacSecret (base64) and PublicKeyPem.";
        }

        if (hasHmac)
        {
            var bytes = new byte[key.HmacSecret!.Length];
            if (!Convert.TryFromBase64String(key.HmacSecret, bytes, out var length))
            {
                return "HmacSecret is not base64.";
            }

            return length < MinHmacBytes ? $"HmacSecret has {length} bytes; HS256 needs at least {MinHmacBytes}." : null;
        }

        if (key.PublicKeyPem!.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return "PublicKeyPem holds a private key; the engine only needs (and must only hold) the public key.";
        }

        try
        {
            using var created = CreateAsymmetric(key.PublicKeyPem);
            return null;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return "PublicKeyPem is not an RSA or ECDSA public key in PEM form.";
        }
    }

    /// <summary>The validation key of a configured key that passed <see cref="Problem"/>.</summary>
    public static SecurityKey Create(SigningKeyOptions key)
    {
        if (!string.IsNullOrEmpty(key.HmacSecret))
        {
            return new SymmetricSecurityKey(Convert.FromBase64String(key.HmacSecret)) { KeyId = key.KeyId };
        }

        return CreateAsymmetric(key.PublicKeyPem!) switch
        {
            RSA rsa => new RsaSecurityKey(rsa) { KeyId = key.KeyId },
            ECDsa ecdsa => new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId },
            _ => throw new InvalidOperationException("Unreachable: a key is RSA or ECDSA."),
        };
    }

    private static AsymmetricAlgorithm CreateAsymmetric(string pem)
    {
        if (pem.Contains("BEGIN RSA PUBLIC KEY", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa;
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return ecdsa;
        }
        catch (CryptographicException)
        {
            ecdsa.Dispose();
        }
        catch (ArgumentException)
        {
            ecdsa.Dispose();
        }

        var fallback = RSA.Create();
        fallback.ImportFromPem(pem);
        return fallback;
    }
}
