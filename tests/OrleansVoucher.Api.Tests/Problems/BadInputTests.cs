using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Problems;

/// <summary>
/// Every malformed request gets a 4xx problem document with its own code, never a 500, and changes
/// nothing: the operator's collection endpoint stands in for every JSON endpoint.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string Collect = "/api/v1/admin/activation-collections";

    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("bad-input"));
    private HttpClient _operator = null!;

    public Task InitializeAsync()
    {
        _operator = _engine.CreateClient(Roles.Operator, "ops");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { """{"idleForSeconds":60""", "malformed-json" },
        { """{idleForSeconds:60}""", "malformed-json" },
        { """{"idleForSeconds":60,}""", "malformed-json" },
        { """{"idleForSeconds":60} trailing""", "malformed-json" },
        { "\u0000\u0001", "malformed-json" },
        { """{"idleForSeconds":60,"dropTables":true}""", "unknown-field" },
        { """{"idleForSeconds":60,"__proto__":{"admin":true}}""", "unknown-field" },
        { """{"idleForSeconds":"60"}""", "invalid-field-type" },
        { """{"idleForSeconds":60.5}""", "invalid-field-type" },
        { """{"idleForSeconds":99999999999}""", "invalid-field-type" },
        { """{"idleForSeconds":null}""", "invalid-field-type" },
        { """{"idleForSeconds":[60]}""", "invalid-field-type" },
        { """{"idleForSeconds":"'; DROP TABLE grain_state; --"}""", "invalid-field-type" },
        { """{"idleForSeconds":60,"idleForSeconds":0}""", "malformed-json" },
        { """[]""", "invalid-field-type" },
        { """{}""", "missing-field" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_body_is_a_400_problem_and_changes_nothing(string body, string code)
    {
        var before = await ActivationsAsync();

        var response = await _operator.PostAsync(Collect, Problem.Json(body));

        await Problem.AssertAsync(response, 400, code);
        Assert.Equal(before, await ActivationsAsync());
    }

    [Fact]
    public async Task An_empty_body_is_400_missing_body()
    {
        var response = await _operator.PostAsync(Collect, new StringContent("", Encoding.UTF8, "application/json"));

        await Problem.AssertAsync(response, 400, "missing-body");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(86_401)]
    public async Task A_value_out_of_range_is_400_validation_failed_naming_the_field(int seconds)
    {
        var response = await _operator.PostAsJsonAsync(Collect, new { idleForSeconds = seconds });

        var problem = await Problem.AssertAsync(response, 400, "validation-failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("idleForSeconds", out _));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_payload_too_large()
    {
        var body = $$"""{"idleForSeconds":60,"padding":"{{new string('x', 70 * 1024)}}"}""";

        var response = await _operator.PostAsync(Collect, Problem.Json(body));

        await Problem.AssertAsync(response, 413, "payload-too-large");
    }

    [Fact]
    public async Task A_body_over_the_limit_without_a_length_is_413_payload_too_large()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"idleForSeconds":60,"padding":"{{new string('x', 70 * 1024)}}"}""")));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, Collect) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _operator.SendAsync(request);

        await Problem.AssertAsync(response, 413, "payload-too-large");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("json")]
    [InlineData("*/*")]
    public async Task A_body_that_is_not_json_is_415_unsupported_media_type(string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"idleForSeconds":60}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var problem = await Problem.AssertAsync(await _operator.PostAsync(Collect, content), 415, "unsupported-media-type");

        AssertHasDetail(problem);
    }

    [Fact]
    public async Task The_answers_of_the_host_itself_say_what_went_wrong_in_a_detail()
    {
        var problems = new[]
        {
            await Problem.AssertAsync(await _operator.GetAsync("/api/v1/vouchers-that-do-not-exist"), 404, "not-found"),
            await Problem.AssertAsync(await _operator.DeleteAsync(Collect), 405, "method-not-allowed"),
            await Problem.AssertAsync(await _operator.PostAsync(Collect, new StringContent("""{"idleForSeconds":60}""", Encoding.UTF8, "text/plain")), 415, "unsupported-media-type"),
        };

        foreach (var problem in problems)
        {
            Assert.True(problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 }, problem.ToString());
        }
    }

    [Fact]
    public async Task A_json_body_in_a_charset_the_engine_does_not_know_is_415_unsupported_media_type()
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"idleForSeconds":60}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=klingon");
        var before = await ActivationsAsync();

        var response = await _operator.PostAsync(Collect, content);

        await Problem.AssertAsync(response, 415, "unsupported-media-type");
        Assert.Equal(before, await ActivationsAsync());
    }

    [Theory]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    public async Task A_json_body_whose_charset_is_quoted_is_read_as_that_charset(string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"idleForSeconds":60}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await _operator.PostAsync(Collect, content);

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(60, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("idleForSeconds").GetInt32());
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    public async Task Errors_are_problem_documents_whatever_the_request_accepts(string accept)
    {
        var anonymous = _engine.CreateClient();
        foreach (var client in new[] { _operator, anonymous })
        {
            client.DefaultRequestHeaders.Accept.ParseAdd(accept);
        }

        await Problem.AssertAsync(await _operator.GetAsync("/api/v1/vouchers-that-do-not-exist"), 404, "not-found");
        await Problem.AssertAsync(await _operator.DeleteAsync(Collect), 405, "method-not-allowed");
        await Problem.AssertAsync(await anonymous.GetAsync("/api/v1/admin/silo"), 401, "authentication-required");
        await Problem.AssertAsync(await _operator.PostAsync(Collect, Problem.Json("""{"idleForSeconds":""")), 400, "malformed-json");
        var invalid = await Problem.AssertAsync(await _operator.PostAsync(Collect, Problem.Json("""{"idleForSeconds":-1}""")), 400, "validation-failed");
        Assert.True(invalid.GetProperty("errors").TryGetProperty("idleForSeconds", out _));
    }

    [Fact]
    public async Task A_malformed_chunk_is_400_bad_request_not_payload_too_large()
    {
        await using var engine = new EngineFactory(EngineFactory.SqliteSettings("bad-chunk"));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        engine.UseKestrel(port);
        engine.StartServer();
        var request = $"POST {Collect} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {engine.Token(Roles.Operator, "ops")}\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var response = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"code\":\"bad-request\"", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_path_is_404_not_found()
    {
        AssertHasDetail(await Problem.AssertAsync(await _operator.GetAsync("/api/v1/vouchers-that-do-not-exist"), 404, "not-found"));
    }

    [Fact]
    public async Task A_wrong_method_is_405_method_not_allowed()
    {
        AssertHasDetail(await Problem.AssertAsync(await _operator.DeleteAsync(Collect), 405, "method-not-allowed"));
    }

    [Theory]
    [InlineData("tab\tinside")]
    [InlineData("quote\"inside")]
    [InlineData("\"unterminated")]
    public async Task A_malformed_idempotency_key_is_400_invalid_idempotency_key(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Collect) { Content = Problem.Json("""{"idleForSeconds":60}""") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        await Problem.AssertAsync(await _operator.SendAsync(request), 400, "invalid-idempotency-key");
    }

    [Fact]
    public async Task An_over_long_idempotency_key_is_400_invalid_idempotency_key()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Collect) { Content = Problem.Json("""{"idleForSeconds":60}""") };
        request.Headers.Add("Idempotency-Key", new string('k', 256));

        await Problem.AssertAsync(await _operator.SendAsync(request), 400, "invalid-idempotency-key");
    }

    /// <summary>Routing and the framework write their problems without a detail; every problem must say what to do.</summary>
    private static void AssertHasDetail(JsonElement problem) =>
        Assert.False(string.IsNullOrWhiteSpace(problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null), $"No detail: {problem}");

    private async Task<long> ActivationsAsync()
    {
        var silo = await _operator.GetFromJsonAsync<JsonElement>("/api/v1/admin/silo");
        return silo.GetProperty("activations").GetInt64();
    }
}
