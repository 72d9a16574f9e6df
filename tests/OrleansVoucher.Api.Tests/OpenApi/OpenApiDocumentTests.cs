using System.Net.Http.Json;
using System.Text.Json;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.OpenApi;

/// <summary>The OpenAPI document and its UI.</summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("openapi"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task The_document_describes_bearer_auth_idempotency_keys_and_problem_responses()
    {
        var document = await _engine.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var collect = document.GetProperty("paths").GetProperty("/api/v1/admin/activation-collections").GetProperty("post");
        Assert.Equal("CollectActivations", collect.GetProperty("operationId").GetString());
        Assert.Contains(collect.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
        var responses = collect.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "403", "409", "422", "429", "500" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"No {status} response.");
        }

        Assert.True(responses.GetProperty("422").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(collect.TryGetProperty("security", out _));
        Assert.Contains("idempotency-key-reused", document.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enumerations_are_described_by_their_camel_case_names_required_optional_or_listed()
    {
        var document = await _engine.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Equal("faceValue credit checkInOnly", Names(schemas.GetProperty("ValueMode")));
        Assert.Equal("seniorTechnician technician advanced intermediate elementary null", Names(schemas.GetProperty("CampaignModel").GetProperty("properties").GetProperty("level")));
        Assert.Equal("sessionWithoutCheckIns impossiblePosition repeatedCheckIn outsideRadius", Names(schemas.GetProperty("CheckInReceipt").GetProperty("properties").GetProperty("flags").GetProperty("items")));

        static string Names(JsonElement schema) => string.Join(' ', schema.GetProperty("enum").EnumerateArray().Select(name => name.GetString() ?? "null"));
    }

    [Fact]
    public async Task The_ui_is_served_at_docs()
    {
        var html = await _engine.CreateClient().GetStringAsync("/docs/index.html");

        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);
    }
}
