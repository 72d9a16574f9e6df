using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.RateLimiting;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.RateLimiting;

/// <summary>Rate limits: per caller buckets, 429 problems with Retry-After.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly EngineFactory _engine = new(new Dictionary<string, string?>(EngineFactory.SqliteSettings("rate-limit"))
    {
        ["Api:RateLimiting:PerCaller:TokenLimit"] = "2",
        ["Api:RateLimiting:PerCaller:TokensPerPeriod"] = "1",
        ["Api:RateLimiting:PerCaller:ReplenishmentPeriod"] = "00:10:00",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_caller_past_its_bucket_gets_429_with_retry_after_and_others_do_not()
    {
        var greedy = _engine.CreateClient(Roles.Institution, "inst-greedy");
        var other = _engine.CreateClient(Roles.Institution, "inst-other");

        Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync("/api/v1/me")).StatusCode);
        var refused = await greedy.GetAsync("/api/v1/me");

        await Problem.AssertAsync(refused, 429, "rate-limited");
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public void Verification_buckets_are_per_institution_from_the_token()
    {
        Assert.Equal("institution:inst-0042", RateLimitingExtensions.PartitionKey(Context(Roles.Institution, "inst-0042")));
        Assert.Equal("authority:hr-xiamen", RateLimitingExtensions.PartitionKey(Context(Roles.Authority, "hr-xiamen", "350200")));
        var anonymous = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("192.0.2.7") } };
        Assert.Equal("address:192.0.2.7", RateLimitingExtensions.PartitionKey(anonymous));
    }

    private static DefaultHttpContext Context(string role, string subject, string? region = null)
    {
        var claims = new List<Claim> { new(ClaimNames.Role, role), new(ClaimNames.Subject, subject) };
        if (region is not null)
        {
            claims.Add(new Claim(ClaimNames.Region, region));
        }

        return new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity(claims, "Bearer", ClaimNames.Subject, ClaimNames.Role)) };
    }
}
