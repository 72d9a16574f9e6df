using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansVoucher.LoadTests.Benchmarks.Http;

namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>
/// <c>bench http</c>'s measuring core against a small HTTP server in this process: it keeps its
/// connections busy for the window, sorts answers into outcomes and errors, and stops cleanly when its
/// requests run out.
/// </summary>
public sealed class HttpLoadTests : IAsyncLifetime
{
    private readonly HttpListener _listener = new();
    private Uri _address = null!;
    private Task _serving = Task.CompletedTask;

    public Task InitializeAsync()
    {
        var port = FreePort();
        _address = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(_address.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }

    [Fact]
    public async Task Measures_a_window_of_answers_from_every_connection()
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 });
        var windows = new List<bool>();

        var result = await HttpLoad.RunAsync(
            http,
            connections: 8,
            warmUp: TimeSpan.FromMilliseconds(300),
            duration: TimeSpan.FromSeconds(1),
            next: n => new HttpRequestMessage(HttpMethod.Get, new Uri(_address, n % 10 == 9 ? "missing" : "health/live")),
            classify: (status, body) => status == 200 && body.SequenceEqual("Healthy"u8) ? "ok" : null,
            onWindow: windows.Add);

        Assert.Equal([true, false], windows);
        Assert.InRange(result.Window.TotalSeconds, 0.9, 2);
        Assert.False(result.RanDry);
        Assert.True(result.Outcomes["ok"] > 8, $"only {result.Outcomes["ok"]} answers");
        Assert.True(result.Errors[404] > 0);
        Assert.Equal(result.Answers, result.Outcomes["ok"] + result.ErrorCount);
        Assert.True(result.Issued >= result.Answers);
        Assert.True(result.Latency.Max > 0);
        Assert.True(result.Rate > 0);
    }

    [Fact]
    public async Task Ends_the_window_at_the_last_answer_when_the_requests_run_out()
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 });

        var result = await HttpLoad.RunAsync(
            http,
            connections: 4,
            warmUp: TimeSpan.Zero,
            duration: TimeSpan.FromSeconds(30),
            next: n => n < 50 ? new HttpRequestMessage(HttpMethod.Post, new Uri(_address, "claims")) { Content = new StringContent("{}") } : null,
            classify: (status, body) => status == 409 && body.IndexOf("exhausted"u8) >= 0 ? "sold out" : null);

        Assert.True(result.RanDry);
        Assert.True(result.Window < TimeSpan.FromSeconds(30));
        Assert.Equal(50, result.Issued - 4);
        Assert.Equal(50, result.Answers);
        Assert.Equal(50, result.Outcomes["sold out"]);
        Assert.Empty(result.Errors);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var (status, body) = context.Request.Url!.AbsolutePath switch
            {
                "/health/live" => (200, "Healthy"),
                "/claims" => (409, """{"code":"stock-exhausted"}"""),
                _ => (404, ""),
            };
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
