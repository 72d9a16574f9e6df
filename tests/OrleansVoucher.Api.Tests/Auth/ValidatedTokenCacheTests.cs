using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
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

    [Fact]
    public async Task A_storm_of_one_off_tokens_is_not_remembered_and_does_not_push_out_returning_clients()
    {
        var options = _engine.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var parameters = _engine.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var inner = new CountingHandler(new JsonWebTokenHandler { MapInboundClaims = false });
        var cache = new ValidatedTokenCache(inner, _clock, capacity: 4);
        string Token(string subject) => DevelopmentTokens.Issue(options, Roles.Institution, subject, null, _clock.GetUtcNow(), TimeSpan.FromHours(8));
        var desk = Token("inst-desk");
        Assert.True((await cache.ValidateTokenAsync(desk, parameters)).IsValid);
        Assert.True((await cache.ValidateTokenAsync(Token("inst-other-desk"), parameters)).IsValid);
        Assert.Equal(2, cache.Count);

        for (var i = 0; i < 50; i++)
        {
            Assert.True((await cache.ValidateTokenAsync(Token($"worker-{i}"), parameters)).IsValid);
        }

        Assert.Equal(2, cache.Count);
        Assert.Equal(52, inner.Calls);
        Assert.True((await cache.ValidateTokenAsync(desk, parameters)).IsValid);
        Assert.Equal(52, inner.Calls);

        // A new client that comes back is remembered from its second request.
        var late = Token("inst-late-desk");
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await cache.ValidateTokenAsync(late, parameters)).IsValid);
        }

        Assert.Equal(54, inner.Calls);
        Assert.Equal(3, cache.Count);
        Assert.False((await cache.ValidateTokenAsync(late[..^2] + "xx", parameters)).IsValid);
    }

    /// <summary>The real token handler, counting the validations it makes.</summary>
    private sealed class CountingHandler(TokenHandler inner) : TokenHandler
    {
        private int _calls;

        public int Calls => _calls;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref _calls);
            return inner.ValidateTokenAsync(token, validationParameters);
        }

        public override SecurityToken ReadToken(string token) => inner.ReadToken(token);
    }
}
