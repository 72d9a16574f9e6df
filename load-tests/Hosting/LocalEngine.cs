using System.Globalization;
using OrleansVoucher.LoadTests.Benchmarks.BulkIssue;
using OrleansVoucher.LoadTests.Runner;
using OrleansVoucher.Testing;

namespace OrleansVoucher.LoadTests.Hosting;

/// <summary>The store an engine the load tests start for themselves runs on.</summary>
public enum EngineStore
{
    /// <summary>A temporary SQLite file, deleted afterwards (the default).</summary>
    Sqlite,

    /// <summary>PostgreSQL: the database given, or a fresh database on a throwaway server started as the tests start theirs.</summary>
    Postgres,
}

/// <summary>How to start the engine when a run has no target URL.</summary>
public sealed record EngineOptions
{
    /// <summary>The store.</summary>
    public EngineStore Store { get; init; } = EngineStore.Sqlite;

    /// <summary>A PostgreSQL connection string (<c>--pg</c>); null starts a throwaway server.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Further engine settings (<c>Section:Key</c> = value), applied last.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Parses a <c>--store</c> value: <c>sqlite</c>, or <c>postgres</c> (also <c>pg</c>, <c>postgresql</c>); <paramref name="source"/> names where it was written in the error.</summary>
    public static EngineStore ParseStore(string text, string source = "--store") => text.ToLowerInvariant() switch
    {
        "sqlite" => EngineStore.Sqlite,
        "postgres" or "postgresql" or "pg" => EngineStore.Postgres,
        _ => throw new FormatException($"{source} must be sqlite or postgres; got '{text}'."),
    };

    /// <summary>What the reports say about the engine.</summary>
    public string Describe() => Store == EngineStore.Sqlite
        ? "started by the runner on a temporary SQLite file"
        : PostgresConnectionString is null
            ? "started by the runner on PostgreSQL (a throwaway server)"
            : "started by the runner on PostgreSQL (--pg)";
}

/// <summary>
/// The engine started by the load tests: the API as a child process on a free port of 127.0.0.1, in its
/// development settings, with the rate limits raised out of the way, on SQLite or PostgreSQL. Disposing
/// it stops the engine and deletes the SQLite file; a database given with <c>--pg</c> is kept.
/// </summary>
public sealed class LocalEngine : IAsyncDisposable
{
    private readonly EngineChild _child;
    private readonly string? _sqlitePath;

    private LocalEngine(EngineChild child, string? sqlitePath, string storeDescription)
    {
        _child = child;
        _sqlitePath = sqlitePath;
        StoreDescription = storeDescription;
    }

    /// <summary>The engine's base URL.</summary>
    public Uri Address => _child.Address;

    /// <summary>Which store it runs on, for logs and reports.</summary>
    public string StoreDescription { get; }

    /// <summary>The directory the engine was built into (its settings, with the development signing key).</summary>
    public static string EngineDirectory => EngineChild.EngineDirectory;

    /// <summary>A bearer token for an engine in its development settings (signed with the development key), valid 12 hours.</summary>
    /// <param name="role">authority, institution, worker or operator.</param>
    /// <param name="subject">The region's authority id, the institution id or the citizen id.</param>
    /// <param name="region">An authority's region.</param>
    public static string Token(string role, string subject, string? region = null) =>
        EngineToken.For(EngineDirectory, role, subject, region, TimeSpan.FromHours(12));

    public static async Task<LocalEngine> StartAsync(EngineOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Api:RateLimiting:PerCaller:TokenLimit"] = "1000000",
            ["Api:RateLimiting:PerCaller:TokensPerPeriod"] = "1000000",
            ["Api:RateLimiting:Verification:TokenLimit"] = "1000000",
            ["Api:RateLimiting:Verification:TokensPerPeriod"] = "1000000",
        };
        string? sqlitePath = null;
        string description;
        if (options.Store == EngineStore.Sqlite)
        {
            sqlitePath = Path.Combine(Path.GetTempPath(), $"orleansvoucher-load-{Guid.NewGuid():N}.db");
            settings["Silo:Storage:Provider"] = "Sqlite";
            settings["Silo:Storage:Sqlite:DatabasePath"] = sqlitePath;
            description = "SQLite " + sqlitePath;
        }
        else
        {
            var connectionString = options.PostgresConnectionString;
            if (connectionString is null)
            {
                var server = await PostgresServer.GetSharedAsync().ConfigureAwait(false);
                connectionString = await server.CreateDatabaseAsync(
                    string.Create(CultureInfo.InvariantCulture, $"load_{Guid.NewGuid():N}"), cancellationToken).ConfigureAwait(false);
                description = string.Create(CultureInfo.InvariantCulture, $"PostgreSQL, a throwaway server on port {server.Port}");
            }
            else
            {
                description = "PostgreSQL (--pg)";
            }

            settings["Silo:Storage:Provider"] = "PostgreSql";
            settings["Silo:Storage:PostgreSql:ConnectionString"] = connectionString;
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        EngineChild child;
        try
        {
            child = await EngineChild.StartAsync(settings, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            // A wrong --pg (no such database, a refused login) ends the engine at start; its own output,
            // forwarded above, says why.
            throw new EngineStartException($"the engine on {description} did not start: {exception.Message} Its output is above, on the lines starting 'engine:'.");
        }

        return new LocalEngine(child, sqlitePath, description);
    }

    public async ValueTask DisposeAsync()
    {
        await _child.DisposeAsync().ConfigureAwait(false);
        if (_sqlitePath is not null)
        {
            foreach (var file in new[] { _sqlitePath, _sqlitePath + "-wal", _sqlitePath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}

/// <summary>The engine the runner starts exited or did not answer; the message says so and where its output is.</summary>
public sealed class EngineStartException(string message) : ScenarioFailureException(message);
