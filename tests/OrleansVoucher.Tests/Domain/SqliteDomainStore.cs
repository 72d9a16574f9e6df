using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Storage.Sqlite;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A SQLite file in a temporary directory, deleted with the store. Every silo started on the store opens
/// the file with a storage of its own, as a separate process would.
/// </summary>
public sealed class SqliteDomainStore : DomainStore
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleansvoucher-domain-" + Guid.NewGuid().ToString("N"));

    public SqliteDomainStore() => Directory.CreateDirectory(_directory);

    public override string Name => "sqlite";

    public override void Configure(ISiloBuilder silo, Func<IGrainStorage, IGrainStorage>? decorate)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddKeyedSingleton(PersistentStateAttribute.DefaultStorageName, (_, _) =>
        {
            var storage = new SqliteGrainStorage(new SqliteStorageOptions { DatabasePath = Path.Combine(_directory, "grains.db"), Synchronous = SqliteSynchronousMode.Normal });
            return decorate is null ? storage : decorate(storage);
        });
        silo.Services.AddSingleton(new StorageRegistration(PersistentStateAttribute.DefaultStorageName));
    }

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
