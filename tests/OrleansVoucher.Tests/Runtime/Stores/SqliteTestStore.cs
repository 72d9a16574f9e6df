using Microsoft.Data.Sqlite;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Storage.Sqlite;

namespace OrleansVoucher.Tests.Runtime.Stores;

/// <summary>A SQLite file in a temporary directory, deleted with the store.</summary>
public sealed class SqliteTestStore : TestStore
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleansvoucher-runtime-" + Guid.NewGuid().ToString("N"));

    /// <param name="synchronous">
    /// The commit durability. Semantics tests need no sync to disk (a killed process loses nothing
    /// either way), so they default to <see cref="SqliteSynchronousMode.Normal"/>.
    /// </param>
    public SqliteTestStore(SqliteSynchronousMode synchronous = SqliteSynchronousMode.Normal)
    {
        Synchronous = synchronous;
        Directory.CreateDirectory(_directory);
    }

    public string DatabasePath => Path.Combine(_directory, "grains.db");

    public SqliteSynchronousMode Synchronous { get; }

    public override string Name => "sqlite";

    public override void Configure(ISiloBuilder silo) => silo.UseSqliteStorage(options =>
    {
        options.DatabasePath = DatabasePath;
        options.Synchronous = Synchronous;
    });

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a store that failed to close; the temporary directory is cleaned up later.
        }

        return ValueTask.CompletedTask;
    }
}
