using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Auth;

/// <summary>Tokens: who gets in, who is turned away, and with which problem.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("auth"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_request_without_a_token_is_401_authentication_required()
    {
        var response = await _engine.CreateClient().GetAsync("/api/v1/me");

        await Problem.AssertAsync(response, 401, "authentication-required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401_invalid_token()
    {
        var client = _engine.CreateClient();
        var forged = DevelopmentTokens.Issue(
            new AuthOptions
            {
                Issuer = "https://id.orleansvoucher.cn",
                Audience = "orleansvoucher-api",
                SigningKeys = [new SigningKeyOptions { KeyId = "development", HmacSecret = Convert.ToBase64String(new byte[32]) }],
            },
            Roles.Operator,
            "mallory",
            null,
            DateTimeOffset.UtcNow,
            TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new("Bearer", forged);

        await Problem.AssertAsync(await client.GetAsync("/api/v1/me"), 401, "invalid-token");
    }

    [Fact]
    public async Task An_expired_token_is_401_invalid_token()
    {
        var client = _engine.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _engine.Token(Roles.Operator, "ops", lifetime: TimeSpan.FromMinutes(-5)));

        await Problem.AssertAsync(await client.GetAsync("/api/v1/me"), 401, "invalid-token");
    }

    [Fact]
    public async Task An_authority_token_without_a_region_is_401_invalid_token()
    {
        var client = _engine.CreateClient(Roles.Authority, "hr-fujian");

        await Problem.AssertAsync(await client.GetAsync("/api/v1/me"), 401, "invalid-token");
    }

    [Fact]
    public async Task A_worker_token_whose_subject_is_not_a_citizen_id_is_401_invalid_token()
    {
        var client = _engine.CreateClient(Roles.Worker, "350102199001011235");

        await Problem.AssertAsync(await client.GetAsync("/api/v1/me"), 401, "invalid-token");
    }

    [Theory]
    [InlineData(Roles.Authority, "hr-xiamen", "350200")]
    [InlineData(Roles.Institution, "inst-0001", null)]
    [InlineData(Roles.Worker, People.BeijingWorker, null)]
    [InlineData(Roles.Operator, "ops", null)]
    public async Task Me_answers_with_the_role_subject_and_region_of_the_token(string role, string subject, string? region)
    {
        var me = await _engine.CreateClient(role, subject, region).GetFromJsonAsync<JsonElement>("/api/v1/me");

        Assert.Equal(role, me.GetProperty("role").GetString());
        Assert.Equal(subject, me.GetProperty("subject").GetString());
        Assert.Equal(region, me.TryGetProperty("region", out var r) ? r.GetString() : null);
    }

    [Theory]
    [InlineData(Roles.Authority, "hr-xiamen", "350200")]
    [InlineData(Roles.Institution, "inst-0001", null)]
    [InlineData(Roles.Worker, People.BeijingWorker, null)]
    public async Task Operator_endpoints_are_403_forbidden_to_other_roles(string role, string subject, string? region)
    {
        var client = _engine.CreateClient(role, subject, region);

        await Problem.AssertAsync(await client.GetAsync("/metrics"), 403, "forbidden");
        await Problem.AssertAsync(await client.GetAsync("/api/v1/admin/silo"), 403, "forbidden");
        await Problem.AssertAsync(await client.PostAsync("/api/v1/admin/activation-collections", Problem.Json("""{"idleForSeconds":60}""")), 403, "forbidden");
    }

    [Fact]
    public async Task Operators_reach_the_operator_endpoints()
    {
        var client = _engine.CreateClient(Roles.Operator, "ops");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/admin/silo")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/admin/activation-collections", Problem.Json("""{"idleForSeconds":60}"""))).StatusCode);
    }

    [Fact]
    public async Task Health_and_the_api_description_need_no_token()
    {
        var client = _engine.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs/index.html")).StatusCode);
    }
}
