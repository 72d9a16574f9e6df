using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Auth;

/// <summary>The <c>token</c> command prints development tokens the engine accepts, and only in Development.</summary>
public sealed class TokenCommandTests : IAsyncLifetime
{
    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("token-command"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Theory]
    [InlineData("institution", "inst-0001", null)]
    [InlineData("authority", "hr-fujian", "350000")]
    [InlineData("worker", People.BeijingWorker, null)]
    [InlineData("operator", "ops", null)]
    public async Task The_printed_token_is_accepted_by_the_engine(string role, string subject, string? region)
    {
        string[] args = region is null
            ? ["token", "--role", role, "--sub", subject, "--hours", "2"]
            : ["token", "--role", role, "--sub", subject, "--region", region];
        var (exitCode, output, error) = Run(args, _engine.Services.GetRequiredService<IHostEnvironment>());

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var client = _engine.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", output.Trim());
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal(role, me.GetProperty("role").GetString());
        Assert.Equal(subject, me.GetProperty("subject").GetString());
    }

    [Theory]
    [InlineData("token", "--role", "emperor", "--sub", "x")]
    [InlineData("token", "--role", "institution")]
    [InlineData("token", "--role", "authority", "--sub", "hr", "--region", "35")]
    [InlineData("token", "--role", "institution", "--sub", "inst-1", "--region", "350200")]
    [InlineData("token", "--role", "worker", "--sub", "350102199001011239")]
    [InlineData("token", "--role", "operator", "--sub", "ops", "--hours", "0")]
    [InlineData("token", "--role", "operator", "--sub", "ops", "--verbose")]
    public void Bad_arguments_print_the_usage_and_exit_2(params string[] args)
    {
        var (exitCode, output, error) = Run(args, _engine.Services.GetRequiredService<IHostEnvironment>());

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("usage: token", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_development_the_command_refuses()
    {
        var production = new Environment("Production");

        var (exitCode, output, error) = Run(["token", "--role", "operator", "--sub", "ops"], production);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("development key", error, StringComparison.Ordinal);
    }

    private (int ExitCode, string Output, string Error) Run(string[] args, IHostEnvironment environment)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = DevelopmentTokenCommand.Run(_engine.Services.GetRequiredService<IConfiguration>(), environment, args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "OrleansVoucher.Api";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
