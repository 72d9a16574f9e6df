using System.Buffers;
using System.Globalization;
using System.Net;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>The HTTP client a run shares among its scenarios, and the step that turns an HTTP call into a <see cref="Response"/>.</summary>
public static class LoadHttpClient
{
    /// <summary>
    /// A client for many concurrent requests: one connection per in-flight request allowed (HTTP/1.1
    /// sends one request per connection at a time, and a request waiting for a connection would be
    /// queueing the runner adds), no proxy, no cookies, no redirects, no decompression, connections
    /// recycled every few minutes so that a scaled-out target gets new ones.
    /// </summary>
    public static HttpClient Create(int maxConnections, TimeSpan requestTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            Timeout = requestTimeout,
            DefaultRequestVersion = HttpVersion.Version11,
        };
    }

    /// <summary>
    /// Sends <paramref name="request"/> and reads the whole body: a 2xx is ok, anything else fails with
    /// <c>HTTP code</c>; a connection failure fails with its kind, a timeout with <c>timeout</c>. The size
    /// is the request body sent plus the response body received.
    /// </summary>
    public static async Task<Response> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        var sentBytes = request.Content?.Headers.ContentLength ?? 0;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var received = await CountBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            return response.IsSuccessStatusCode
                ? Response.Ok(code, sentBytes + received)
                : Response.Fail($"HTTP {code} {response.ReasonPhrase}".TrimEnd(), code, sentBytes + received);
        }
        catch (HttpRequestException exception)
        {
            return Response.Fail($"{exception.HttpRequestError}: {exception.Message}", "error");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Response.Fail($"timeout (over {DurationText.Format(http.Timeout)})", "timeout");
        }
    }

    /// <summary>GET <paramref name="url"/>.</summary>
    public static async Task<Response> GetAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> CountBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                long total = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return total;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
