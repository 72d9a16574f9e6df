using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo.Storage.Sqlite;

public sealed partial class SqliteGrainStorage
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Migrated the SQLite grain storage schema from version {FromVersion} to {ToVersion}")]
    private static partial void SchemaMigrated(ILogger logger, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "The SQLite grain storage schema is current at version {Version}")]
    private static partial void SchemaCurrent(ILogger logger, int version);
}
