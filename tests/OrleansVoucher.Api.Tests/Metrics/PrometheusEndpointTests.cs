using System.Net;
using System.Text.RegularExpressions;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Metrics;

/// <summary>The <c>/metrics</c> exposition: well-formed, and carrying the silo's, the API's and ASP.NET Core's metrics.</summary>
public sealed partial class PrometheusEndpointTests : IAsyncLifetime
{
    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("metrics"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task The_exposition_parses_and_has_the_silo_api_and_hosting_metrics()
    {
        var client = _engine.CreateClient(Roles.Operator, "ops");
        var collect = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/activation-collections") { Content = Problem.Json("""{"idleForSeconds":0}""") };
        collect.Headers.Add("Idempotency-Key", "metrics-1");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(collect)).StatusCode);
        await Problem.AssertAsync(await client.PostAsync("/api/v1/admin/activation-collections", Problem.Json("{")), 400, "malformed-json");

        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        var families = Parse(text);
        Assert.Equal("gauge", families["orleansvoucher_silo_activations"]);
        Assert.Equal("counter", families["orleansvoucher_silo_calls_total"]);
        Assert.Equal("histogram", families["orleansvoucher_silo_call_duration_milliseconds"]);
        Assert.Equal("counter", families["orleansvoucher_api_requests_total"]);
        Assert.Equal("histogram", families["orleansvoucher_api_request_duration_seconds"]);
        Assert.Equal("histogram", families["http_server_request_duration_seconds"]);
        Assert.Contains("orleansvoucher_api_problems_total{code=\"malformed-json\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("orleansvoucher_api_requests_total{http_request_method=\"POST\",http_response_status_code=\"200\",http_route=\"/api/v1/admin/activation-collections\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("orleansvoucher_api_requests_total{http_request_method=\"POST\",http_response_status_code=\"400\",http_route=\"/api/v1/admin/activation-collections\"} 1", text, StringComparison.Ordinal);
        Assert.Matches(@"orleansvoucher_silo_calls_total [1-9]\d*\n", text);
        Assert.Matches(@"orleansvoucher_api_request_duration_seconds_bucket\{[^}]*le=""\+Inf""\} [1-9]", text);
    }

    [Fact]
    public async Task Without_a_token_the_metrics_are_401()
    {
        await Problem.AssertAsync(await _engine.CreateClient().GetAsync("/metrics"), 401, "authentication-required");
    }

    /// <summary>
    /// Checks every line against the text format: a <c># HELP</c> and <c># TYPE</c> before a family's
    /// samples, sample names of the family (with <c>_bucket</c>, <c>_sum</c>, <c>_count</c> for
    /// histograms), well-formed labels and numbers, and each family once. Returns the families' types.
    /// </summary>
    private static Dictionary<string, string> Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                current = line.Split(' ')[2];
                Assert.Matches(MetricName(), current);
                Assert.False(types.ContainsKey(current), $"{current} appears twice.");
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(current, parts[2]);
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram" });
                types[parts[2]] = parts[3];
                continue;
            }

            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"Not a sample line: {line}");
            var name = sample.Groups["name"].Value;
            Assert.NotNull(current);
            var family = types[current!];
            var allowed = family == "histogram"
                ? new[] { current + "_bucket", current + "_sum", current + "_count" }
                : new[] { current! };
            Assert.Contains(name, allowed);
        }

        return types;
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex Sample();
}
