namespace OrleansVoucher.Api.Auth;

/// <summary>
/// How the engine checks bearer tokens, bound from the configuration section <c>Auth</c>. The
/// identity provider of the programme issues the tokens; the engine only verifies them, with public
/// keys in production. The development HMAC key lives only in <c>appsettings.Development.json</c>.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Auth";

    /// <summary>The <c>iss</c> a token must carry.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The <c>aud</c> a token must carry.</summary>
    public string Audience { get; set; } = "";

    /// <summary>The keys a token may be signed with; several during a key rotation.</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>How far the clocks of the issuer and the engine may disagree.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many validated tokens are remembered, so a client presenting the same token again skips
    /// parsing and signature checks (its lifetime is still checked on every request); 0 turns it off.
    /// Keys are read once at start, so a withdrawn key takes a restart either way.
    /// </summary>
    public int ValidatedTokenCacheSize { get; set; } = 10_000;
}
