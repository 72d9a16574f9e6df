using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansVoucher.Api.Tests.Infrastructure;

/// <summary>Reads and checks problem documents.</summary>
public static class Problem
{
    /// <summary>
    /// Asserts that <paramref name="response"/> is an <c>application/problem+json</c> document with
    /// <paramref name="status"/> and <paramref name="code"/> (as <c>code</c> and in <c>type</c>), and returns it.
    /// </summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal($"urn:orleansvoucher:problem:{code}", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>JSON content from a raw string.</summary>
    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>JSON content of a value.</summary>
    public static JsonContent Json<T>(T value) => JsonContent.Create(value);
}
