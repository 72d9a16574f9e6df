using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Testing;

namespace OrleansVoucher.Api.Tests.Auth;

/// <summary>
/// Remembered tokens: a client presenting the same token again is answered exactly as a fresh
/// validation would answer it, above all once the token has expired.
/// </summary>
public sealed class ValidatedTokenCacheTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly EngineFactory _engine;

    public ValidatedTokenCacheTests() => _engine = new EngineFactory(EngineFactory.SqliteSettings("token-cache"), time: _clock);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private ValidatedTokenCache Cache => _engine.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>()
        .Get(JwtBearerDefaults.AuthenticationScheme).TokenHandlers.OfType<ValidatedTokenCache>().Single();

    [Fact]
    public async Task A_token_presented_again_is_remembered_once()
    {
        var client = _engine.CreateClient(Roles.Operator, "ops");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        }

        Assert.Equal(1, Cache.Count);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await _engine.CreateClient(Roles.Operator, "ops-2").GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(2, Cache.Count);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var client = _engine.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _engine.Token(Roles.Operator, "ops", lifetime: TimeSpan.FromMinutes(10)));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        // Within the clock skew after expiry it still passes, as a fresh validation would let it.
        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(20));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        _clock.Advance(TimeSpan.FromSeconds(11));
        await Problem.AssertAsync(await client.GetAsync("/api/v1/me"), 401, "invalid-token");
        Assert.Equal(0, Cache.Count);
    }

    [Fact]
    public async Task A_tampered_copy_of_a_remembered_token_is_refused_and_not_remembered()
    {
        var token = _engine.Token(Roles.Operator, "ops");
        var client = _engine.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        // The same header and payload with another signature.
        var signature = token[(token.LastIndexOf('.') + 1)..];
        var tampered = token[..(token.LastIndexOf('.') + 1)] + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        client.DefaultRequestHeaders.Authorization = new("Bearer", tampered);

        await Problem.AssertAsync(await client.GetAsync("/api/v1/me"), 401, "invalid-token");
        Assert.Equal(1, Cache.Count);
    }

    [Fact]
    public async Task The_cache_never_holds_more_than_its_capacity_and_still_validates_every_token()
    {
        var options = _engine.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var parameters = _engine.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var cache = new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, _clock, capacity: 3);
        var tokens = Enumerable.Range(0, 10).Select(i => DevelopmentTokens.Issue(options, Roles.Operator, $"ops-{i}", null, _clock.GetUtcNow(), TimeSpan.FromHours(1))).ToList();

        foreach (var token in tokens.Concat(tokens))
        {
            var result = await cache.ValidateTokenAsync(token, parameters);
            Assert.True(result.IsValid);
            Assert.Equal(token, ((JsonWebToken)result.SecurityToken).EncodedToken);
            Assert.InRange(cache.Count, 1, 3);
        }

        var forged = await cache.ValidateTokenAsync(tokens[0][..^2] + "xx", parameters);
        Assert.False(forged.IsValid);
    }

    [Fact]
    public async Task Each_request_gets_an_identity_of_its_own()
    {
        var options = _engine.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var parameters = _engine.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var cache = new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, _clock, capacity: 8);
        var token = DevelopmentTokens.Issue(options, Roles.Operator, "ops", null, _clock.GetUtcNow(), TimeSpan.FromHours(1));

        var first = await cache.ValidateTokenAsync(token, parameters);
        first.ClaimsIdentity.AddClaim(new System.Security.Claims.Claim("injected", "yes"));
        var second = await cache.ValidateTokenAsync(token, parameters);

        Assert.True(second.IsValid);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Null(second.ClaimsIdentity.FindFirst("injected"));
        Assert.Equal("ops", second.ClaimsIdentity.FindFirst(ClaimNames.Subject)!.Value);
    }
}
