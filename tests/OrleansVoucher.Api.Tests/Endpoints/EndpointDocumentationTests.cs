using System.Net.Http.Json;
using System.Text.Json;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>The OpenAPI document describes every operation of the programme: names, summaries, bodies, responses and examples.</summary>
public sealed class EndpointDocumentationTests(EndpointDocumentationTests.Document served) : IClassFixture<EndpointDocumentationTests.Document>
{
    private readonly JsonElement _document = served.Json;

    [Fact]
    public void Every_operation_has_a_unique_name_a_summary_a_tag_a_success_and_the_problems_every_operation_may_give()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, method, operation) in Operations())
        {
            var name = operation.GetProperty("operationId").GetString();
            Assert.False(string.IsNullOrEmpty(name), $"{method} {path} has no operationId.");
            Assert.True(names.Add(name!), $"{name} names two operations.");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{name} has no summary.");
            Assert.NotEmpty(operation.GetProperty("tags").EnumerateArray());
            var responses = operation.GetProperty("responses");
            Assert.Contains(responses.EnumerateObject(), r => r.Name.StartsWith('2'));
            foreach (var status in new[] { "401", "403", "429", "500" })
            {
                Assert.True(responses.TryGetProperty(status, out var problem), $"{name} does not document {status}.");
                Assert.True(problem.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{name}'s {status} is no problem document.");
            }
        }

        Assert.True(names.Count > 40, $"Only {names.Count} operations.");
    }

    [Fact]
    public void Every_put_and_every_post_that_takes_json_documents_its_body_with_a_schema()
    {
        string[] withoutJson = ["OpenCampaign", "ApproveRoster", "CancelBulkJob", "UploadRoster"];
        foreach (var (path, method, operation) in Operations().Where(o => o.Method is "put" or "post"))
        {
            var name = operation.GetProperty("operationId").GetString()!;
            if (withoutJson.Contains(name))
            {
                continue;
            }

            Assert.True(operation.TryGetProperty("requestBody", out var body), $"{method} {path} ({name}) documents no body.");
            Assert.True(body.GetProperty("content").TryGetProperty("application/json", out var json), $"{name}'s body is not JSON.");
            Assert.True(json.TryGetProperty("schema", out _), $"{name}'s body has no schema.");
        }
    }

    [Fact]
    public void Every_post_of_the_programme_takes_an_idempotency_key()
    {
        // Bulk uploads bind their keys to jobs themselves (docs/bulk-issuance.md); the voucher check
        // changes nothing, so a key (a stored record) would be the only thing it wrote.
        foreach (var (path, _, operation) in Operations().Where(o => o.Method == "post"))
        {
            if (operation.GetProperty("tags").EnumerateArray().Any(t => t.GetString() == "Bulk issuance")
                || operation.GetProperty("operationId").GetString() == "CheckVoucher")
            {
                continue;
            }

            var parameters = operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
            Assert.True(
                parameters.Any(p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header"),
                $"POST {path} takes no Idempotency-Key.");
        }
    }

    [Theory]
    [InlineData("/api/v1/institutions/{institutionId}/verifications", "post", "presenterCitizenId")]
    [InlineData("/api/v1/institutions/{institutionId}/voucher-checks", "post", "presenterCitizenId")]
    [InlineData("/api/v1/campaigns/{campaignId}", "put", "issuanceMode")]
    [InlineData("/api/v1/campaigns/{campaignId}/claims", "post", "citizenId")]
    [InlineData("/api/v1/institutions/{institutionId}/classes/{classCode}/check-ins", "post", "position")]
    [InlineData("/api/v1/vouchers/{voucherCode}/settlement-decisions", "post", "decision")]
    public void Key_operations_show_an_example_request(string path, string method, string member)
    {
        var example = _document.GetProperty("paths").GetProperty(path).GetProperty(method)
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

        Assert.True(example.TryGetProperty(member, out _), $"The example of {method} {path} lacks {member}.");
    }

    [Theory]
    [InlineData("ValueMode", "faceValue")]
    [InlineData("IssuanceMode", "directed")]
    [InlineData("TrainingPart", "whole")]
    [InlineData("VoucherStatus", "settled")]
    [InlineData("SettlementDecision", "reject")]
    public void Enumerations_are_documented_as_their_camel_case_names(string schema, string value)
    {
        var values = _document.GetProperty("components").GetProperty("schemas").GetProperty(schema).GetProperty("enum");

        Assert.Contains(values.EnumerateArray(), v => v.GetString() == value);
    }

    private IEnumerable<(string Path, string Method, JsonElement Operation)> Operations() =>
        _document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/v1", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (p.Name, o.Name, o.Value)));

    /// <summary>The document as the engine serves it, read once for the class.</summary>
    public sealed class Document : IAsyncLifetime
    {
        private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("endpoint-docs"));

        /// <summary>The document.</summary>
        public JsonElement Json { get; private set; }

        public async Task InitializeAsync() => Json = await _engine.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        public async Task DisposeAsync() => await _engine.DisposeAsync();
    }
}
