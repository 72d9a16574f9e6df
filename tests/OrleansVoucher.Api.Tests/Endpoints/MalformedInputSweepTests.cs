using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Every endpoint of <see cref="AuthorizationMatrixTests.Matrix"/>, called by a caller in scope with its
/// request spoiled one way at a time: each member of the body given a value of another JSON type, null,
/// a number past Int64 or past a double (<c>1e400</c>), <c>-0</c>, half a surrogate pair, a NUL character
/// (which PostgreSQL's text refuses), a date at either end of the calendar, or left out; an
/// unknown member; bodies that are empty, cut short, nested 1,000 deep, not UTF-8, in an unknown charset
/// or not JSON; route values 10 KB long, an encoded slash or not UTF-8; a response asked for in XML. No
/// answer is a 5xx, and every 4xx is a problem document with its code.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MalformedInputSweepTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    private const string ProblemType = "urn:orleansvoucher:problem:";

    private static readonly string[] s_values =
    [
        "\"x\"", "12", "true", "{}", "[]", "null", "1.5", "9223372036854775808", "\"a\\ud800b\"",
        "\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59-14:00\"", "\"a\\u0000b\"", "1e400", "-0",
    ];

    private static readonly string[] s_routeValues = [new string('a', 10_240), "%2F", "a%2Fb", "%E5%88%B8", "%ZZ", "%C3%28"];

    /// <summary>The endpoints, by key.</summary>
    public static TheoryData<string> Endpoints
    {
        get
        {
            var keys = new TheoryData<string>();
            foreach (var entry in AuthorizationMatrixTests.Matrix)
            {
                keys.Add(entry.Key);
            }

            return keys;
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task No_spoiled_request_is_a_5xx_and_every_refusal_is_a_problem_with_a_code(string key)
    {
        var entry = AuthorizationMatrixTests.Matrix.Single(e => e.Key == key);
        var client = world.As(entry.Admits.Values.First().In);
        var path = entry.Path(world);
        var failures = new List<string>();
        var body = entry.ContentType is null && entry.Body?.Invoke(world) is { } value ? JsonSerializer.SerializeToNode(value, new JsonSerializerOptions(JsonSerializerDefaults.Web)) : null;
        var valid = body?.ToJsonString();

        async Task SendAsync(string spoiled, string target, HttpContent? content, Action<HttpRequestMessage>? change = null)
        {
            using var request = new HttpRequestMessage(new HttpMethod(entry.Method), target) { Content = content };
            change?.Invoke(request);
            using var response = await client.SendAsync(request);
            if (await FailureOfAsync(response) is { } failure)
            {
                failures.Add($"{spoiled}: {failure}");
            }
        }

        if (body is not null)
        {
            foreach (var location in Locations(body, []))
            {
                var name = string.Join('.', location);
                foreach (var replacement in s_values)
                {
                    await SendAsync($"{name}={replacement}", path, Json(Replaced(body, location, replacement)));
                }

                var without = body.DeepClone();
                Parent(without, location).Remove(location[^1]);
                await SendAsync($"{name} left out", path, Json(without.ToJsonString()));
            }

            if (body.DeepClone() is JsonObject extra)
            {
                extra["unknownMember"] = 1;
                await SendAsync("an unknown member", path, Json(extra.ToJsonString()));
            }
        }

        if (entry.ContentType is null)
        {
            foreach (var (spoiled, text) in new[]
            {
                ("an empty body", ""), ("a cut-short body", valid is null ? "{" : valid[..^2]), ("an array", "[]"),
                ("a body nested 1,000 deep", string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000)),
            })
            {
                await SendAsync(spoiled, path, Json(text));
            }

            await SendAsync("bytes that are not UTF-8", path, Bytes([.. "{\"a\":\""u8, 0xFF, 0xC3, 0x28, .. "\"}"u8], "application/json"));
            await SendAsync("an unknown charset", path, Bytes(Encoding.UTF8.GetBytes(valid ?? "{}"), "application/json; charset=klingon"));
            await SendAsync("text/plain", path, Bytes(Encoding.UTF8.GetBytes(valid ?? "{}"), "text/plain"));
        }

        var template = entry.Route.Split('/');
        var segments = path.Split('?')[0].Split('/');
        var query = path.Contains('?', StringComparison.Ordinal) ? path[path.IndexOf('?', StringComparison.Ordinal)..] : "";
        for (var i = 0; i < template.Length; i++)
        {
            if (!template[i].StartsWith('{'))
            {
                continue;
            }

            foreach (var replacement in s_routeValues)
            {
                var spoiledSegments = (string[])segments.Clone();
                spoiledSegments[i] = replacement;
                await SendAsync($"{template[i]}={replacement[..Math.Min(20, replacement.Length)]}", string.Join('/', spoiledSegments) + query, Content(entry, valid));
            }
        }

        await SendAsync("an answer asked for in XML", path, Content(entry, valid), r => r.Headers.Accept.ParseAdd("application/xml"));
        await SendAsync("an Idempotency-Key of 256 characters", path, Content(entry, valid), r => r.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 256)));

        Assert.True(failures.Count == 0, $"{key}:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    /// <summary>What is wrong with an answer: a 5xx, or a 4xx that is not a problem document with a code.</summary>
    private static async Task<string?> FailureOfAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status < 400)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} {response.Content.Headers.ContentType?.MediaType} {text}";
        }

        using var problem = JsonDocument.Parse(text);
        var code = problem.RootElement.TryGetProperty("code", out var member) ? member.GetString() : null;
        return string.IsNullOrEmpty(code) || problem.RootElement.GetProperty("type").GetString() != ProblemType + code ? $"{status} without a code: {text}" : null;
    }

    private static HttpContent? Content(AuthorizationMatrixTests.Entry entry, string? valid) => entry switch
    {
        { ContentType: { } type } => Bytes(Encoding.UTF8.GetBytes(MatrixWorld.RejectedRowCsv), type),
        _ when valid is not null => Json(valid),
        _ => null,
    };

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        return content;
    }

    /// <summary>The body with the member at <paramref name="location"/> replaced by raw JSON text (which a node cannot always hold: a lone surrogate).</summary>
    private static string Replaced(JsonNode body, IReadOnlyList<string> location, string json)
    {
        const string Placeholder = "\u0001placeholder\u0001";
        var copy = body.DeepClone();
        Parent(copy, location)[location[^1]] = Placeholder;
        return copy.ToJsonString().Replace(JsonSerializer.Serialize(Placeholder), json, StringComparison.Ordinal);
    }

    private static JsonObject Parent(JsonNode body, IReadOnlyList<string> location)
    {
        var node = body;
        foreach (var step in location.Take(location.Count - 1))
        {
            node = node is JsonArray array ? array[int.Parse(step, System.Globalization.CultureInfo.InvariantCulture)]! : node[step]!;
        }

        return node is JsonArray ? throw new InvalidOperationException("Locations end at object members.") : (JsonObject)node;
    }

    /// <summary>The members of <paramref name="node"/>, nested ones too (the first item of each array standing for all).</summary>
    private static IEnumerable<List<string>> Locations(JsonNode node, List<string> prefix)
    {
        if (node is JsonObject members)
        {
            foreach (var (name, child) in members)
            {
                var here = new List<string>(prefix) { name };
                yield return here;
                foreach (var inner in child is null ? [] : Locations(child, here))
                {
                    yield return inner;
                }
            }
        }
        else if (node is JsonArray { Count: > 0 } array && array[0] is { } first)
        {
            foreach (var inner in Locations(first, [.. prefix, "0"]))
            {
                yield return inner;
            }
        }
    }
}
