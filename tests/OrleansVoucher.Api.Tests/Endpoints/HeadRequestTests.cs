using System.Net;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// <c>HEAD</c> wherever <c>GET</c> is answered (RFC 9110, 9.3.2): the same status and headers as the
/// <c>GET</c>, and no body — not even a problem document's.
/// </summary>
public sealed class HeadRequestTests : IAsyncLifetime
{
    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("head"));
    private HttpClient _operator = null!;

    public Task InitializeAsync()
    {
        _operator = _engine.CreateClient(Roles.Operator, "ops");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/me", 200)]
    [InlineData("/api/v1/admin/silo", 200)]
    [InlineData("/openapi/v1.json", 200)]
    [InlineData("/api/v1/vouchers-that-do-not-exist", 404)]
    [InlineData("/api/v1/admin/activation-collections", 405)]
    public async Task Head_answers_as_get_does_without_a_body(string path, int status)
    {
        using var get = await _operator.GetAsync(path);
        using var head = await _operator.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(status, (int)get.StatusCode);
        Assert.Equal(status, (int)head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(string.Join(", ", get.Content.Headers.Allow), string.Join(", ", head.Content.Headers.Allow));
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_405_allows_head_wherever_it_allows_get()
    {
        // The silo's view is read (GET) and nothing else; the collections are made (POST) and not read.
        using var silo = await _operator.DeleteAsync("/api/v1/admin/silo");
        using var collections = await _operator.GetAsync("/api/v1/admin/activation-collections");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, silo.StatusCode);
        Assert.Equal(["GET", "HEAD"], silo.Content.Headers.Allow.Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, collections.StatusCode);
        Assert.Equal(["POST"], collections.Content.Headers.Allow);
    }

    [Fact]
    public async Task Head_without_a_token_is_401_without_a_body_and_the_documents_head_is_open()
    {
        var anonymous = _engine.CreateClient();

        using var me = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/me"));
        using var document = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/openapi/v1.json"));

        Assert.Equal(401, (int)me.StatusCode);
        Assert.Equal("application/problem+json", me.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await me.Content.ReadAsByteArrayAsync());
        Assert.Equal(200, (int)document.StatusCode);
    }

    [Fact]
    public async Task Head_is_counted_as_head_in_the_metrics()
    {
        using var head = await _operator.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/me"));

        var metrics = await _operator.GetStringAsync("/metrics");

        Assert.Equal(200, (int)head.StatusCode);
        Assert.Contains(
            metrics.Split('\n'),
            line => line.StartsWith("orleansvoucher_api_requests_total{", StringComparison.Ordinal)
                && line.Contains("http_request_method=\"HEAD\"", StringComparison.Ordinal)
                && line.Contains("http_route=\"/api/v1/me/\"", StringComparison.Ordinal));
    }
}
