using System.Net.Http.Headers;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Testing;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// The engine on its own PostgreSQL database of the test run's shared server, on a clock the tests
/// move (China Standard Time 09:00 on Monday 2 March 2026 at the start), with idle collection off (the
/// clock jumps by months) and rate limits out of the way unless a test sets its own. Its grain store
/// counts reads and commits. One per test class, as a class fixture.
/// </summary>
public class VoucherEngine : IAsyncLifetime
{
    /// <summary>When the clock starts: 2026-03-02 09:00 in China.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));

    private EngineFactory? _factory;
    private Dictionary<string, string?> _settings = [];
    private EngineFactory? _other;

    /// <summary>The engine's clock.</summary>
    public ManualTimeProvider Clock { get; } = new(Start.ToUniversalTime());

    /// <summary>The engine's grain store, counting.</summary>
    public CountingGrainStorage Storage { get; private set; } = null!;

    /// <summary>The engine.</summary>
    public EngineFactory Factory => _factory ?? throw new InvalidOperationException("The engine has not started.");

    /// <summary>The time now, on the engine's clock.</summary>
    public DateTimeOffset Now => Clock.GetUtcNow();

    public virtual async Task InitializeAsync()
    {
        var server = await PostgresServer.GetSharedAsync();
        var connectionString = await server.CreateDatabaseAsync($"api_endpoints_{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?>(EngineFactory.PostgreSqlSettings(connectionString))
        {
            ["Silo:CollectionQuantum"] = "1000.00:00:00",
            ["Silo:CollectionAge"] = "1000.00:00:00",
            ["Silo:ExpiredStateSweep:Enabled"] = "false",
            ["Silo:ResponseTimeout"] = "00:01:00",
            ["Api:RateLimiting:PerCaller:TokenLimit"] = "100000",
            ["Api:RateLimiting:PerCaller:TokensPerPeriod"] = "100000",
            ["Api:RateLimiting:Verification:TokenLimit"] = "100000",
            ["Api:RateLimiting:Verification:TokensPerPeriod"] = "100000",
        };
        foreach (var (key, value) in Settings())
        {
            settings[key] = value;
        }

        _settings = settings;
        _factory = new EngineFactory(settings, time: Clock, services: CountingGrainStorage.Install(storage => Storage = storage));
        _factory.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        foreach (var factory in new[] { _other, _factory })
        {
            if (factory is not null)
            {
                await factory.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A second engine on the same database and clock, as another process sharing the store would be,
    /// with its own activations of the same grains; started on first use.
    /// </summary>
    public EngineFactory SecondEngine()
    {
        if (_other is null)
        {
            _other = new EngineFactory(_settings, time: Clock);
            _other.CreateClient().Dispose();
        }

        return _other;
    }

    /// <summary>A client acting as <paramref name="caller"/>, with a token minted now on the engine's clock.</summary>
    public HttpClient As(Caller caller) => As(caller, Factory);

    /// <summary>A client of <paramref name="engine"/> (this one's <see cref="SecondEngine"/>) acting as <paramref name="caller"/>.</summary>
    public static HttpClient As(Caller caller, EngineFactory engine)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(engine);
        var client = engine.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", engine.Token(caller.Role, caller.Subject, caller.Region));
        return client;
    }

    /// <summary>Settings that replace the defaults above, for a test class that needs others.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() => [];
}
