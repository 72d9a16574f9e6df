using System.Net.Http.Json;
using System.Text.Json;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>Requests with JSON bodies, and assertions on their answers.</summary>
public static class Http
{
    /// <summary>POSTs <paramref name="body"/> as JSON (or nothing), with an idempotency key when given.</summary>
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object? body = null, string? idempotencyKey = null) =>
        client.SendJsonAsync(HttpMethod.Post, path, body, idempotencyKey);

    /// <summary>PUTs <paramref name="body"/> as JSON.</summary>
    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object body) =>
        client.SendJsonAsync(HttpMethod.Put, path, body, null);

    /// <summary>Sends <paramref name="body"/> (a raw JSON string is sent as is) with <paramref name="method"/>.</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object? body, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = new HttpRequestMessage(method, path)
        {
            Content = body switch
            {
                null => null,
                string json => Problem.Json(json),
                _ => JsonContent.Create(body),
            },
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    /// <summary>Asserts the status (showing the body when it differs) and returns the JSON body, or an undefined element when there is none.</summary>
    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> call, int status)
    {
        ArgumentNullException.ThrowIfNull(call);
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a problem document with <paramref name="status"/> and <paramref name="code"/>, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(this Task<HttpResponseMessage> call, int status, string code)
    {
        ArgumentNullException.ThrowIfNull(call);
        return await Problem.AssertAsync(await call, status, code);
    }

    /// <summary>A string member.</summary>
    public static string Str(this JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"{name} is null.");
}
