using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

public sealed partial class PostgreSqlGrainStorage
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Migrated the PostgreSQL grain storage schema {Schema} from version {FromVersion} to {ToVersion}")]
    private static partial void SchemaMigrated(ILogger logger, string schema, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "The PostgreSQL grain storage schema {Schema} is current at version {Version}")]
    private static partial void SchemaCurrent(ILogger logger, string schema, int version);
}
