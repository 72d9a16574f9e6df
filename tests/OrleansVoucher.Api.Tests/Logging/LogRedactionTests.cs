using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Logging;

/// <summary>Logs never hold a full citizen id or a token, even with ASP.NET Core's own request logging at its most verbose.</summary>
public sealed class LogRedactionTests : IAsyncLifetime
{
    private readonly EngineFactory _engine = new(new Dictionary<string, string?>(EngineFactory.SqliteSettings("logs"))
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_request_carrying_a_citizen_id_and_a_token_leaves_neither_in_the_logs()
    {
        var token = _engine.Token(Roles.Worker, People.FuzhouWorker);
        var client = _engine.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        await client.GetAsync($"/api/v1/workers/{People.FuzhouWorker}/vouchers?holder={People.XiamenWorker}");
        await client.GetAsync("/api/v1/me");
        var forged = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        forged.Headers.Authorization = new("Bearer", token[..^4] + "AAAA");
        await client.SendAsync(forged);
        await client.PostAsync("/api/v1/admin/activation-collections", Problem.Json($$"""{"idleForSeconds":"{{People.BeijingWorker}}"}"""));

        var logs = _engine.Logs.Text;
        Assert.Contains("3501**********1238", logs, StringComparison.Ordinal);
        foreach (var secret in new[] { People.FuzhouWorker, People.XiamenWorker, People.BeijingWorker, token, token.Split('.')[1], token.Split('.')[2] })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }
}
