using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Metrics;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Auth;

/// <summary>
/// Secure by default: every endpoint the engine maps, now and as features are added, refuses a
/// request without a token, except the few that are anonymous on purpose.
/// </summary>
public sealed class EndpointAuthorizationTests : IAsyncLifetime
{
    private static readonly HashSet<string> s_anonymous = ["/health/live", "/health/ready", "/openapi/{documentName}.json"];

    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("endpoints"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Every_endpoint_but_health_and_the_document_needs_a_token()
    {
        _engine.CreateClient();
        var endpoints = _engine.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var client = _engine.CreateClient();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText!;
            var path = "/" + System.Text.RegularExpressions.Regex.Replace(pattern.Trim('/'), @"\{(?<name>[^}:?]+)[^}]*\}", match => match.Groups["name"].Value == "documentName" ? "v1" : "sample");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", new MediaTypeHeaderValue("application/json"));
                }

                var response = await client.SendAsync(request);
                if (s_anonymous.Contains(pattern))
                {
                    Assert.NotEqual(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
                }
                else
                {
                    await Problem.AssertAsync(response, 401, "authentication-required");
                }
            }
        }
    }

    [Fact]
    public async Task The_scrape_port_admits_a_scrape_without_a_token_and_other_ports_need_an_operator()
    {
        var options = Options.Create(new MetricsOptions { ScrapePort = 9464 });
        var services = new ServiceCollection().AddSingleton(options).BuildServiceProvider();

        Assert.True(await AuthorizeAsync(services, new ClaimsPrincipal(new ClaimsIdentity()), localPort: 9464));
        Assert.False(await AuthorizeAsync(services, new ClaimsPrincipal(new ClaimsIdentity()), localPort: 8080));
        Assert.False(await AuthorizeAsync(services, Principal(Roles.Institution), localPort: 8080));
        Assert.True(await AuthorizeAsync(services, Principal(Roles.Operator), localPort: 8080));
    }

    private async Task<bool> AuthorizeAsync(IServiceProvider services, ClaimsPrincipal user, int localPort)
    {
        var context = new DefaultHttpContext { RequestServices = services, User = user, Connection = { LocalPort = localPort } };
        var authorization = _engine.Services.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(user, context, AuthPolicies.MetricsScrape)).Succeeded;
    }

    private static ClaimsPrincipal Principal(string role) =>
        new(new ClaimsIdentity([new(ClaimNames.Role, role), new(ClaimNames.Subject, "someone")], "Bearer", ClaimNames.Subject, ClaimNames.Role));
}
