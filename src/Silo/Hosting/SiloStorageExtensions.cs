using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage;
using OrleansVoucher.Silo.Storage.PostgreSql;
using OrleansVoucher.Silo.Storage.Sqlite;

namespace OrleansVoucher.Silo.Hosting;

/// <summary>Chooses a silo's grain storage, in code or from configuration.</summary>
public static class SiloStorageExtensions
{
    /// <summary>The configuration section naming the storage: <c>Silo:Storage</c>.</summary>
    public const string SectionName = "Silo:Storage";

    /// <summary>
    /// Uses the store named by configuration: <c>Silo:Storage:Provider</c> is <c>Sqlite</c> (the default),
    /// <c>PostgreSql</c> or <c>Memory</c>; the provider's settings are bound from
    /// <c>Silo:Storage:Sqlite</c> or <c>Silo:Storage:PostgreSql</c>. A connection string named
    /// <c>PostgreSql</c> (<c>ConnectionStrings:PostgreSql</c>) also selects PostgreSQL's connection.
    /// </summary>
    public static ISiloBuilder UseStorageFromConfiguration(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var providerName = section["Provider"];
        var provider = StorageProvider.Sqlite;
        if (!string.IsNullOrWhiteSpace(providerName) && !Enum.TryParse(providerName, ignoreCase: true, out provider))
        {
            throw new InvalidOperationException($"{SectionName}:Provider is '{providerName}'; expected one of {string.Join(", ", Enum.GetNames<StorageProvider>())}.");
        }

        return provider switch
        {
            StorageProvider.PostgreSql => builder.UsePostgreSqlStorage(options =>
            {
                section.GetSection("PostgreSql").Bind(options);
                if (configuration.GetConnectionString("PostgreSql") is { Length: > 0 } connectionString)
                {
                    options.ConnectionString = connectionString;
                }
            }),
            StorageProvider.Memory => builder.UseMemoryStorage(),
            _ => builder.UseSqliteStorage(options =>
            {
                options.DatabasePath = "orleansvoucher.db";
                section.GetSection("Sqlite").Bind(options);
            }),
        };
    }

    /// <summary>Uses a store in this process's memory: nothing survives the process. For tests.</summary>
    public static ISiloBuilder UseMemoryStorage(this ISiloBuilder builder, string name = PersistentStateAttribute.DefaultStorageName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new MemoryGrainStorage(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(new StorageRegistration(name));
        return builder;
    }

    /// <summary>Uses a SQLite database file.</summary>
    public static ISiloBuilder UseSqliteStorage(this ISiloBuilder builder, Action<SqliteStorageOptions> configure, string name = PersistentStateAttribute.DefaultStorageName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SqliteStorageOptions>(name).Configure(configure);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name);
            options.Validate();
            return new SqliteGrainStorage(
                options,
                sp.GetRequiredService<SiloMetrics>(),
                sp.GetRequiredService<ILogger<SqliteGrainStorage>>(),
                sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton(new StorageRegistration(name));
        return builder;
    }

    /// <summary>Uses a PostgreSQL database.</summary>
    public static ISiloBuilder UsePostgreSqlStorage(this ISiloBuilder builder, Action<PostgreSqlStorageOptions> configure, string name = PersistentStateAttribute.DefaultStorageName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PostgreSqlStorageOptions>(name).Configure(configure);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<PostgreSqlStorageOptions>>().Get(name);
            options.Validate();
            return new PostgreSqlGrainStorage(
                options,
                sp.GetRequiredService<SiloMetrics>(),
                sp.GetRequiredService<ILogger<PostgreSqlGrainStorage>>());
        });
        builder.Services.AddSingleton(new StorageRegistration(name));
        return builder;
    }
}
