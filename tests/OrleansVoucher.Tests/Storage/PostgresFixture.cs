using OrleansVoucher.Testing;

namespace OrleansVoucher.Tests.Storage;

/// <summary>The collection of test classes sharing the one PostgreSQL server of the test run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection's name, for <see cref="CollectionAttribute"/>.</summary>
    public const string Name = "PostgreSQL server";
}

/// <summary>Starts one throwaway PostgreSQL server for the test run; each test class gets its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    // Tests check semantics, not durability: commits need not wait for the disk.
    private readonly PostgresServer _server = new(new PostgresServerOptions { Settings = { ["synchronous_commit"] = "off" } });
    private int _databases;

    public PostgresServer Server => _server;

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Creates a fresh database named after <paramref name="prefix"/> and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix) =>
        _server.CreateDatabaseAsync($"{prefix}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant());
}
