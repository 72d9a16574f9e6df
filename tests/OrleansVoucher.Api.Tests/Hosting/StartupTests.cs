using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Hosting;

/// <summary>The engine refuses to start without what it needs to check tokens.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task In_production_without_a_signing_key_the_engine_refuses_to_start_saying_why()
    {
        await using var engine = new EngineFactory(EngineFactory.SqliteSettings("production"), environment: "Production");

        var failure = Assert.Throws<OptionsValidationException>(() => engine.CreateClient());

        Assert.Contains("Auth:SigningKeys is empty", failure.Message, StringComparison.Ordinal);
        Assert.Contains("appsettings.Development.json", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_key_in_the_configuration_is_refused()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        await using var engine = new EngineFactory(
            new Dictionary<string, string?>(EngineFactory.SqliteSettings("private-key"))
            {
                ["Auth:SigningKeys:0:KeyId"] = "idp-2026",
                ["Auth:SigningKeys:0:PublicKeyPem"] = rsa.ExportPkcs8PrivateKeyPem(),
            },
            environment: "Production");

        var failure = Assert.Throws<OptionsValidationException>(() => engine.CreateClient());

        Assert.Contains("private key", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_production_an_rsa_public_key_is_enough()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        await using var engine = new EngineFactory(
            new Dictionary<string, string?>(EngineFactory.SqliteSettings("public-key"))
            {
                ["Auth:SigningKeys:0:KeyId"] = "idp-2026",
                ["Auth:SigningKeys:0:PublicKeyPem"] = rsa.ExportSubjectPublicKeyInfoPem(),
            },
            environment: "Production");

        var response = await engine.CreateClient().GetAsync("/health/ready");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_the_identity_providers_ecdsa_key_is_accepted_with_only_the_public_key_configured()
    {
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        await using var engine = new EngineFactory(
            new Dictionary<string, string?>(EngineFactory.SqliteSettings("ecdsa"))
            {
                ["Auth:SigningKeys:0:KeyId"] = "idp-es256",
                ["Auth:SigningKeys:0:PublicKeyPem"] = ecdsa.ExportSubjectPublicKeyInfoPem(),
            },
            environment: "Production");
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "https://id.orleansvoucher.cn",
            Audience = "orleansvoucher-api",
            Expires = DateTime.UtcNow.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["sub"] = "inst-0007", ["role"] = "institution" },
            SigningCredentials = new(new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(ecdsa) { KeyId = "idp-es256" }, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256),
        });
        var client = engine.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
