namespace OrleansVoucher.Api.Auth;

/// <summary>
/// One key tokens may be signed with: either a shared HMAC secret (<see cref="HmacSecret"/>, for
/// development) or an RSA or ECDSA public key in PEM form (<see cref="PublicKeyPem"/>, for production,
/// where the engine holds nothing that can sign).
/// </summary>
public sealed class SigningKeyOptions
{
    /// <summary>The key id (<c>kid</c>) tokens name it by.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>A base64 HMAC-SHA256 secret of at least 32 bytes.</summary>
    public string? HmacSecret { get; set; }

    /// <summary>An RSA (RS256, PS256) or ECDSA (ES256, ES384, ES512) public key, PEM-encoded.</summary>
    public string? PublicKeyPem { get; set; }
}
