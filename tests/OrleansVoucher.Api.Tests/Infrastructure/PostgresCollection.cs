using OrleansVoucher.Testing;

namespace OrleansVoucher.Api.Tests.Infrastructure;

/// <summary>The test classes that run the engine on the test run's one PostgreSQL server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "API on PostgreSQL";
}

/// <summary>
/// The test run's PostgreSQL server (started on first use from the machine's binaries; a missing server
/// fails the tests). Each test class creates its own database.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _databases;

    /// <summary>The server.</summary>
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.GetSharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A fresh database for a test class; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix) =>
        Server.CreateDatabaseAsync($"api_{prefix}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant());
}
