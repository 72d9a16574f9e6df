using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Storage.Sqlite;
using OrleansVoucher.Tests.Runtime.Stores;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A SQLite file in a temporary directory, deleted with the store. Every silo started on the store opens
/// the file with a storage of its own, as a separate process would.
/// </summary>
public sealed class SqliteDomainStore : DomainStore
{
    private readonly SqliteTestStore _file = new();

    public override string Name => _file.Name;

    public override void Configure(ISiloBuilder silo, Func<IGrainStorage, IGrainStorage>? decorate)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddKeyedSingleton(PersistentStateAttribute.DefaultStorageName, (_, _) =>
        {
            var storage = new SqliteGrainStorage(new SqliteStorageOptions { DatabasePath = _file.DatabasePath, Synchronous = _file.Synchronous });
            return decorate is null ? storage : decorate(storage);
        });
        silo.Services.AddSingleton(new StorageRegistration(PersistentStateAttribute.DefaultStorageName));
    }

    public override ValueTask DisposeAsync() => _file.DisposeAsync();
}
