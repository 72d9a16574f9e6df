using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Storage.PostgreSql;
using OrleansVoucher.Tests.Storage;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// The test run's PostgreSQL server: a database per test class, and a fresh schema per test, so tests
/// of a class can reuse keys. Every silo started on the store opens its own connection pool, as a
/// separate process would.
/// </summary>
public sealed class PostgresDomainStore : DomainStore
{
    private static readonly ConcurrentDictionary<Type, Lazy<Task<string>>> s_databases = new();
    private static int s_schemas;

    private readonly string _connectionString;
    private readonly string _schema;

    private PostgresDomainStore(string connectionString)
    {
        _connectionString = connectionString;
        _schema = "domain_" + Interlocked.Increment(ref s_schemas).ToString(CultureInfo.InvariantCulture);
    }

    public override string Name => "postgresql";

    /// <summary>A fresh schema in the database of <paramref name="testClass"/>.</summary>
    public static async Task<PostgresDomainStore> ForClassAsync(PostgresFixture fixture, Type testClass)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(testClass);
        var database = s_databases.GetOrAdd(testClass, type =>
        {
            var name = new string([.. type.Name.Where(char.IsAsciiLetterOrDigit)]);
            return new Lazy<Task<string>>(() => fixture.CreateDatabaseAsync("domain_" + name[..Math.Min(name.Length, 40)]));
        });
        return new PostgresDomainStore(await database.Value);
    }

    public override void Configure(ISiloBuilder silo, Func<IGrainStorage, IGrainStorage>? decorate)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddKeyedSingleton(PersistentStateAttribute.DefaultStorageName, (_, _) =>
        {
            var storage = new PostgreSqlGrainStorage(new PostgreSqlStorageOptions { ConnectionString = _connectionString, Schema = _schema });
            return decorate is null ? storage : decorate(storage);
        });
        silo.Services.AddSingleton(new StorageRegistration(PersistentStateAttribute.DefaultStorageName));
    }
}
