using System.Collections.Concurrent;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Tests.Storage;

namespace OrleansVoucher.Tests.Runtime.Stores;

/// <summary>
/// A database of the test run's PostgreSQL server, one per test class: the tests of a class share it and
/// keep apart by their grain keys.
/// </summary>
public sealed class PostgresTestStore : TestStore
{
    private static readonly ConcurrentDictionary<Type, Lazy<Task<string>>> s_databases = new();

    private PostgresTestStore(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public override string Name => "postgresql";

    /// <summary>The database of <paramref name="testClass"/>, created on its first test.</summary>
    public static async Task<PostgresTestStore> ForClassAsync(PostgresFixture fixture, Type testClass)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(testClass);
        var database = s_databases.GetOrAdd(testClass, type => new Lazy<Task<string>>(() => fixture.CreateDatabaseAsync(DatabasePrefix(type))));
        return new PostgresTestStore(await database.Value);
    }

    public override void Configure(ISiloBuilder silo) => silo.UsePostgreSqlStorage(options => options.ConnectionString = ConnectionString);

    private static string DatabasePrefix(Type testClass)
    {
        var name = new string([.. testClass.Name.Where(char.IsAsciiLetterOrDigit)]);
        return "runtime_" + name[..Math.Min(name.Length, 40)];
    }
}
