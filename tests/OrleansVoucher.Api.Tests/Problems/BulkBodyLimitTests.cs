using System.Text;
using System.Text.Json;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Endpoints;
using OrleansVoucher.Api.Tests.Endpoints;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Problems;

/// <summary>
/// A catalogue and a roster are lists of up to a thousand items, well over the 64 KiB of an ordinary
/// JSON body: they take <c>Api:Limits:MaxBulkBodyBytes</c> (8 MiB) instead, and are refused with 413
/// only past it.
/// </summary>
public sealed class BulkBodyLimitTests : IAsyncLifetime
{
    private const string Catalogue = "/api/v1/regions/350000/catalogues/2026";

    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("bulk-body-limit"));
    private HttpClient _authority = null!;
    private HttpClient _school = null!;

    public Task InitializeAsync()
    {
        _authority = _engine.CreateClient(Roles.Authority, "fj-hrss", "350000");
        _school = _engine.CreateClient(Roles.Institution, "FZGULOU01");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_catalogue_of_the_most_occupations_is_published()
    {
        var body = CatalogueOf(CatalogueEndpoints.MaxOccupations);
        Assert.True(Encoding.UTF8.GetByteCount(body) > 64 * 1024);

        var response = await _authority.PutAsync(Catalogue, Problem.Json(body));

        Assert.Equal(200, (int)response.StatusCode);
        using var published = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(CatalogueEndpoints.MaxOccupations, published.RootElement.GetProperty("occupations").GetArrayLength());
    }

    [Fact]
    public async Task A_roster_of_the_most_entries_is_read_whole()
    {
        // The last entry repeats the first: only a body read to its end can say so.
        var entries = Enumerable.Range(0, RosterEndpoints.MaxEntries - 1).Select(EntryOf).Append(EntryOf(0));
        var body = JsonSerializer.Serialize(new { rosterNo = "R-2026-001", institutionId = "FZGULOU01", entries });
        Assert.True(Encoding.UTF8.GetByteCount(body) > 64 * 1024);

        var response = await _school.PostAsync("/api/v1/campaigns/fj-directed-2026/rosters", Problem.Json(body));

        var problem = await Problem.AssertAsync(response, 400, "validation-failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty($"entries[{RosterEndpoints.MaxEntries - 1}].citizenId", out _));
    }

    [Fact]
    public async Task A_catalogue_over_the_bulk_limit_is_413_payload_too_large()
    {
        var body = $$"""{"occupations":[],"padding":"{{new string('x', 8 * 1024 * 1024)}}"}""";

        var response = await _authority.PutAsync(Catalogue, Problem.Json(body));

        await Problem.AssertAsync(response, 413, "payload-too-large");
    }

    private static string CatalogueOf(int count) => JsonSerializer.Serialize(new
    {
        occupations = Enumerable.Range(0, count).Select(i => new
        {
            code = $"4-{1 + (i / 100):00}-{i % 100:00}-01",
            name = $"职业 {i}",
            kind = "knowledgeSkill",
            standards = new[] { new { level = (string?)null, subsidyFen = 80000 } },
        }),
    });

    private static object EntryOf(int i) => new
    {
        citizenId = Caller.CitizenId("350102", i % 1000, new DateOnly(1990, 1, 1).AddDays(i / 1000)),
        occupationCode = "4-01-02-02",
        level = (string?)null,
    };
}
