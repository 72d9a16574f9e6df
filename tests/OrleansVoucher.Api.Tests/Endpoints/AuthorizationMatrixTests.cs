using System.Net.Http.Headers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;
using static OrleansVoucher.Api.Tests.Endpoints.MatrixWorld;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Every endpoint of <c>/api/v1</c> × every role, in scope and out: a role the endpoint does not admit
/// gets 403 <c>forbidden</c>; an admitted role acting on a resource outside its scope (another region,
/// another institution, another worker) gets 403 <c>out-of-scope</c> and changes nothing; in scope, the
/// request reaches the domain. The matrix is checked against the engine's endpoint data source, so an
/// endpoint added without an entry here fails <see cref="Every_endpoint_has_an_entry_and_every_entry_an_endpoint"/>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthorizationMatrixTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    private static readonly Caller s_holder = Caller.Worker(Holder);
    private static readonly Caller s_stranger = Caller.Worker(Stranger);

    /// <summary>Who may call each endpoint, and what a request to it is.</summary>
    private static readonly Entry[] s_matrix =
    [
        new("GET", "/api/v1/me", _ => "/api/v1/me", null, Anyone(Roles.Authority, Roles.Institution, Roles.Worker, Roles.Operator)),
        new("GET", "/api/v1/admin/silo", _ => "/api/v1/admin/silo", null, Anyone(Roles.Operator)),
        new("POST", "/api/v1/admin/activation-collections", _ => "/api/v1/admin/activation-collections", _ => new { idleForSeconds = 86_400 }, Anyone(Roles.Operator)),

        new("PUT", "/api/v1/regions/{regionCode}/catalogues/{year}", w => $"/api/v1/regions/{Province}/catalogues/{Year(w)}", _ => Programme.Catalogue, Authority()),
        new("GET", "/api/v1/regions/{regionCode}/catalogues/{year}", w => $"/api/v1/regions/{Province}/catalogues/{Year(w)}", null, Published()),
        new("PUT", "/api/v1/regions/{regionCode}/catalogues/{year}/occupations/{occupationCode}", w => $"/api/v1/regions/{Province}/catalogues/{Year(w)}/occupations/{Programme.Ecommerce}",
            _ => new { code = Programme.Ecommerce, name = "电子商务师", kind = "knowledgeSkill", standards = new[] { new { level = (string?)null, subsidyFen = 80_000 } } }, Authority()),
        new("GET", "/api/v1/regions/{regionCode}/catalogues/{year}/occupations/{occupationCode}", w => $"/api/v1/regions/{Province}/catalogues/{Year(w)}/occupations/{Programme.Ecommerce}", null, Published()),
        new("DELETE", "/api/v1/regions/{regionCode}/catalogues/{year}/occupations/{occupationCode}", w => $"/api/v1/regions/{Province}/catalogues/{Year(w)}/occupations/{Programme.Electrician}", null, Authority()),

        new("PUT", "/api/v1/regions/{regionCode}/policy", _ => $"/api/v1/regions/{Province}/policy", _ => Programme.FujianPolicy, Authority()),
        new("GET", "/api/v1/regions/{regionCode}/policy", _ => $"/api/v1/regions/{Province}/policy", null, Published()),
        new("GET", "/api/v1/regions/{regionCode}/campaigns", _ => $"/api/v1/regions/{Province}/campaigns", null, Published()),
        new("GET", "/api/v1/regions/{regionCode}/institutions", _ => $"/api/v1/regions/{Gulou}/institutions", null, Published()),

        new("PUT", "/api/v1/institutions/{institutionId}", _ => $"/api/v1/institutions/{SchoolId}", _ => Programme.Listing(SchoolId, Gulou), Authority()),
        new("GET", "/api/v1/institutions/{institutionId}", _ => $"/api/v1/institutions/{SchoolId}", null, Authority(institution: (School, Other))),
        new("POST", "/api/v1/institutions/{institutionId}/strikes", _ => $"/api/v1/institutions/{SanctionedId}/strikes", _ => new { kind = "qualityProblem", reason = "Attendance sheets signed in advance" }, Authority()),
        new("POST", "/api/v1/institutions/{institutionId}/suspend", _ => $"/api/v1/institutions/{SanctionedId}/suspend", _ => new { reason = "Three quality problems" }, Authority()),
        new("POST", "/api/v1/institutions/{institutionId}/reinstate", _ => $"/api/v1/institutions/{SanctionedId}/reinstate", _ => new { reason = "Rectified" }, Authority()),
        new("POST", "/api/v1/institutions/{institutionId}/remove", _ => $"/api/v1/institutions/{SanctionedId}/remove", _ => new { reason = "Fake training" }, Authority()),

        new("PUT", "/api/v1/campaigns/{campaignId}", _ => "/api/v1/campaigns/mx-draft", w => new Programme(w).General(Province), Authority()),
        new("GET", "/api/v1/campaigns/{campaignId}", _ => "/api/v1/campaigns/mx-general", null, Published()),
        new("POST", "/api/v1/campaigns/{campaignId}/open", _ => "/api/v1/campaigns/mx-openable/open", null, Authority()),
        new("POST", "/api/v1/campaigns/{campaignId}/close", _ => "/api/v1/campaigns/mx-closable/close", _ => new { reason = "Budget spent" }, Authority()),
        new("POST", "/api/v1/campaigns/{campaignId}/claims", _ => "/api/v1/campaigns/mx-general/claims", _ => new { citizenId = Stranger }, Worker(Caller.Worker(Stranger), s_holder)),
        new("POST", "/api/v1/vouchers/{voucherCode}/claim", w => $"/api/v1/vouchers/{w.DirectedVoucher}/claim", _ => new { citizenId = Trainee }, Worker(Caller.Worker(Trainee), s_holder)),

        new("POST", "/api/v1/campaigns/{campaignId}/rosters", _ => "/api/v1/campaigns/mx-directed/rosters",
            _ => new { rosterNo = "R-9", institutionId = SchoolId, entries = new[] { new { citizenId = Holder, occupationCode = Programme.Ecommerce } } }, Institution()),
        new("GET", "/api/v1/campaigns/{campaignId}/rosters/{rosterNo}", _ => "/api/v1/campaigns/mx-directed/rosters/R-1", null, Authority(institution: (School, Other))),
        new("POST", "/api/v1/campaigns/{campaignId}/rosters/{rosterNo}/approve", _ => "/api/v1/campaigns/mx-directed/rosters/R-2/approve", null, Authority()),
        new("POST", "/api/v1/campaigns/{campaignId}/rosters/{rosterNo}/reject", _ => "/api/v1/campaigns/mx-directed/rosters/R-2/reject", _ => new { reason = "Trainees not enrolled" }, Authority()),

        new("GET", "/api/v1/vouchers/{voucherCode}", w => $"/api/v1/vouchers/{w.HolderVoucher}", null, Authority(institution: (School, Other), worker: (s_holder, s_stranger))),
        new("POST", "/api/v1/vouchers/{voucherCode}/revoke", w => $"/api/v1/vouchers/{w.RevocableVoucher}/revoke", _ => new { reason = "Impersonated claim" }, Authority()),

        new("POST", "/api/v1/institutions/{institutionId}/verifications", _ => $"/api/v1/institutions/{SchoolId}/verifications",
            w => new { voucherCode = w.HolderVoucher, presenterCitizenId = Holder, classCode = ClassCode }, Institution()),
        new("POST", "/api/v1/institutions/{institutionId}/voucher-checks", _ => $"/api/v1/institutions/{SchoolId}/voucher-checks",
            w => new { voucherCode = w.HolderVoucher, presenterCitizenId = Holder, classCode = ClassCode }, Institution()),
        new("POST", "/api/v1/institutions/{institutionId}/verification-rollbacks", _ => $"/api/v1/institutions/{SchoolId}/verification-rollbacks",
            w => new { voucherCode = w.EnrolledVoucher, reason = "Moved to the evening class" }, Institution()),

        new("POST", "/api/v1/institutions/{institutionId}/classes", _ => $"/api/v1/institutions/{SchoolId}/classes",
            w => new { classCode = "C-9", occupationCode = Programme.Ecommerce, sessions = new Programme(w).Sessions(TimeSpan.FromDays(10)) }, Institution()),
        new("GET", "/api/v1/institutions/{institutionId}/classes/{classCode}", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}", null,
            Authority(institution: (School, Other), worker: (s_holder, s_stranger))),
        new("GET", "/api/v1/institutions/{institutionId}/classes/{classCode}/anomalies", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/anomalies", null,
            Authority(institution: (School, Other))),
        new("GET", "/api/v1/institutions/{institutionId}/classes/{classCode}/trainees/{citizenId}/attendance", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/trainees/{Holder}/attendance", null,
            Authority(institution: (School, Other), worker: (s_holder, s_stranger))),
        new("POST", "/api/v1/institutions/{institutionId}/classes/{classCode}/check-in-tokens", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/check-in-tokens",
            _ => new { session = 0, validForSeconds = 600 }, Institution()),
        new("POST", "/api/v1/institutions/{institutionId}/classes/{classCode}/check-ins", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/check-ins",
            _ => new { citizenId = Holder, session = 0, position = new { latitude = Programme.Site.Latitude, longitude = Programme.Site.Longitude } }, Worker(s_holder, s_stranger)),
        new("POST", "/api/v1/institutions/{institutionId}/classes/{classCode}/online-study", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/online-study",
            _ => new { citizenId = Holder, session = 0 }, Institution()),
        new("POST", "/api/v1/institutions/{institutionId}/classes/{classCode}/results", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/results",
            _ => new { citizenId = Holder, part = "whole", passed = false }, Institution()),
        new("POST", "/api/v1/institutions/{institutionId}/classes/{classCode}/course-ratings", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/course-ratings",
            _ => new { citizenId = Holder, score = 5, comment = "好" }, Worker(s_holder, s_stranger)),
        new("POST", "/api/v1/institutions/{institutionId}/classes/{classCode}/trainee-ratings", _ => $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/trainee-ratings",
            _ => new { citizenId = Holder, score = 4 }, Institution()),

        new("POST", "/api/v1/institutions/{institutionId}/settlement-claims", _ => $"/api/v1/institutions/{SchoolId}/settlement-claims",
            w => new { voucherCode = w.HolderVoucher, part = "whole" }, Institution()),
        new("POST", "/api/v1/vouchers/{voucherCode}/settlement-decisions", w => $"/api/v1/vouchers/{w.HolderVoucher}/settlement-decisions",
            _ => new { part = "whole", decision = "approve" }, Authority()),

        new("PUT", "/api/v1/workers/{citizenId}", _ => $"/api/v1/workers/{Holder}", _ => Programme.Attributes(Holder, Gulou), Authority()),
        new("GET", "/api/v1/workers/{citizenId}", _ => $"/api/v1/workers/{Holder}", null, Authority(worker: (s_holder, s_stranger))),
        new("GET", "/api/v1/workers/{citizenId}/vouchers", _ => $"/api/v1/workers/{Holder}/vouchers", null, Authority(worker: (s_holder, s_stranger))),
        new("GET", "/api/v1/workers/{citizenId}/archive", _ => $"/api/v1/workers/{Holder}/archive", null, Authority(worker: (s_holder, s_stranger))),

        new("GET", "/api/v1/campaigns/{campaignId}/statistics", _ => "/api/v1/campaigns/mx-general/statistics", null, Authority()),
        new("GET", "/api/v1/regions/{regionCode}/statistics", _ => $"/api/v1/regions/{Province}/statistics", null, Authority()),

        new("POST", "/api/v1/campaigns/{campaignId}/uploads", _ => $"/api/v1/campaigns/mx-directed/uploads?institutionId={SchoolId}", _ => RejectedRowCsv, Authority(), "text/csv"),
        new("GET", "/api/v1/campaigns/{campaignId}/jobs", _ => "/api/v1/campaigns/mx-directed/jobs", null, Authority()),
        new("GET", "/api/v1/jobs/{jobId}", w => $"/api/v1/jobs/{w.JobId}", null, Authority()),
        new("GET", "/api/v1/jobs/{jobId}/rejections", w => $"/api/v1/jobs/{w.JobId}/rejections", null, Authority()),
        new("POST", "/api/v1/jobs/{jobId}/cancel", w => $"/api/v1/jobs/{w.JobId}/cancel", null, Authority()),
    ];

    /// <summary>Every endpoint of <c>/api/v1</c>, with a request to it that its callers in scope may make.</summary>
    internal static IReadOnlyList<Entry> Matrix => s_matrix;

    /// <summary>The matrix's entries, by key.</summary>
    public static TheoryData<string> Endpoints
    {
        get
        {
            var keys = new TheoryData<string>();
            foreach (var entry in s_matrix)
            {
                keys.Add(entry.Key);
            }

            return keys;
        }
    }

    [Fact]
    public void Every_endpoint_has_an_entry_and_every_entry_an_endpoint()
    {
        var mapped = world.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet(StringComparer.Ordinal);
        var entries = s_matrix.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);

        Assert.True(mapped.Count > 40, $"Only {mapped.Count} endpoints found.");
        Assert.Empty(mapped.Except(entries).Order());
        Assert.Empty(entries.Except(mapped).Order());
        Assert.Equal(s_matrix.Length, entries.Count);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Roles_it_does_not_admit_are_forbidden_callers_out_of_scope_change_nothing_and_callers_in_scope_reach_it(string key)
    {
        var entry = s_matrix.Single(e => e.Key == key);
        var before = await world.SnapshotAsync();
        foreach (var role in Roles.All.Where(r => !entry.Admits.ContainsKey(r)))
        {
            await Problem.AssertAsync(await SendAsync(entry, Representative(role)), 403, "forbidden");
        }

        foreach (var (_, access) in entry.Admits)
        {
            if (access.Out is { } outsider)
            {
                await Problem.AssertAsync(await SendAsync(entry, outsider), 403, "out-of-scope");
            }
        }

        Assert.Equal(before, await world.SnapshotAsync());
        foreach (var (_, access) in entry.Admits)
        {
            var response = await SendAsync(entry, access.In);
            var status = (int)response.StatusCode;
            Assert.True(
                status is not (401 or 403 or 404 or 405) && status < 500,
                $"{entry.Key} as {access.In}: {status} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static int Year(MatrixWorld world) => world.Now.ToOffset(TimeSpan.FromHours(8)).Year;

    private static Caller Representative(string role) => role switch
    {
        Roles.Authority => Fujian,
        Roles.Institution => School,
        Roles.Worker => s_holder,
        _ => Caller.Operator,
    };

    private Task<HttpResponseMessage> SendAsync(Entry entry, Caller caller)
    {
        var request = new HttpRequestMessage(new HttpMethod(entry.Method), entry.Path(world));
        if (entry.Body?.Invoke(world) is { } body)
        {
            request.Content = body is string text ? new StringContent(text) : Problem.Json(body);
            if (entry.ContentType is { } contentType)
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            }
            else if (body is string)
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
        }

        return world.As(caller).SendAsync(request);
    }

    private static Dictionary<string, Access> Anyone(params string[] roles) =>
        roles.ToDictionary(role => role, role => new Access(Representative(role), null));

    private static Dictionary<string, Access> Published() => new()
    {
        [Roles.Authority] = new(Zhejiang, null),
        [Roles.Institution] = new(Other, null),
        [Roles.Worker] = new(s_stranger, null),
    };

    private static Dictionary<string, Access> Authority((Caller In, Caller Out)? institution = null, (Caller In, Caller Out)? worker = null)
    {
        var admits = new Dictionary<string, Access> { [Roles.Authority] = new(Fujian, Zhejiang) };
        if (institution is { } i)
        {
            admits[Roles.Institution] = new(i.In, i.Out);
        }

        if (worker is { } w)
        {
            admits[Roles.Worker] = new(w.In, w.Out);
        }

        return admits;
    }

    private static Dictionary<string, Access> Institution() => new() { [Roles.Institution] = new(School, Other) };

    private static Dictionary<string, Access> Worker(Caller inScope, Caller outOfScope) => new() { [Roles.Worker] = new(inScope, outOfScope) };

    /// <summary>One endpoint: its method and route, a request to it, and who it admits.</summary>
    internal sealed record Entry(
        string Method,
        string Route,
        Func<MatrixWorld, string> Path,
        Func<MatrixWorld, object>? Body,
        Dictionary<string, Access> Admits,
        string? ContentType = null)
    {
        public string Key => $"{Method} {Route}";
    }

    /// <summary>A role's callers: one in the resource's scope, and one out of it (none where the resource is published to the role).</summary>
    internal sealed record Access(Caller In, Caller? Out);
}
