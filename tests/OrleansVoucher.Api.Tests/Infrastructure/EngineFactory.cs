using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Tests.Infrastructure;

/// <summary>
/// The engine as <c>Program</c> builds it, in memory, with settings a test chooses (a store, limits),
/// optionally a clock the test moves, and every log entry captured in <see cref="Logs"/>.
/// </summary>
public sealed class EngineFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly Action<IServiceCollection>? _services;

    /// <summary>An engine on <paramref name="settings"/> (for example the store), in <paramref name="environment"/>.</summary>
    public EngineFactory(IDictionary<string, string?> settings, string environment = "Development", TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        _settings = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        _environment = environment;
        Time = time;
        _services = services;
    }

    /// <summary>The clock the engine reads, when the test supplies one.</summary>
    public TimeProvider? Time { get; }

    /// <summary>Every log entry the engine wrote.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The silo's grain factory.</summary>
    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>The SQLite settings of a fresh database file in the temporary directory.</summary>
    public static Dictionary<string, string?> SqliteSettings(string name) => new()
    {
        ["Silo:Storage:Provider"] = "Sqlite",
        ["Silo:Storage:Sqlite:DatabasePath"] = Path.Combine(Path.GetTempPath(), $"orleansvoucher-api-{name}-{Guid.NewGuid():N}.db"),
    };

    /// <summary>The PostgreSQL settings of a database.</summary>
    public static Dictionary<string, string?> PostgreSqlSettings(string connectionString) => new()
    {
        ["Silo:Storage:Provider"] = "PostgreSql",
        ["Silo:Storage:PostgreSql:ConnectionString"] = connectionString,
    };

    /// <summary>A client whose requests carry a token for <paramref name="role"/> and <paramref name="subject"/>.</summary>
    public HttpClient CreateClient(string role, string subject, string? region = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token(role, subject, region));
        return client;
    }

    /// <summary>A development token, valid for an hour from the engine's clock.</summary>
    public string Token(string role, string subject, string? region = null, TimeSpan? lifetime = null)
    {
        var options = Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var now = (Time ?? TimeProvider.System).GetUtcNow();
        return DevelopmentTokens.Issue(options, role, subject, region, now, lifetime ?? TimeSpan.FromHours(1));
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_settings.TryGetValue("Silo:Storage:Provider", out var provider) && provider == "Sqlite"
            && _settings.TryGetValue("Silo:Storage:Sqlite:DatabasePath", out var path) && path is not null)
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <inheritdoc />
    protected override IHost CreateHost(IHostBuilder builder)
    {
        // Host configuration reaches Program before it reads the store's settings.
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        return base.CreateHost(builder);
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(Logs);
        });
        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton(Time);
            }

            _services?.Invoke(services);
        });
    }
}
