using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

internal sealed partial class PostgreSqlBatchWriter
{
    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "The server aborted a storage transaction of {UnitCount} write units ({SqlState}); retrying it (attempt {Attempt})")]
    private static partial void BatchRetried(ILogger logger, int unitCount, string sqlState, int attempt);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Debug, Message = "{HalfWrittenCount} of {UnitCount} write units lost a version check after writing part of their states; the transaction was rolled back and is retried without the losing units")]
    private static partial void BatchRolledBack(ILogger logger, int unitCount, int halfWrittenCount);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Debug, Message = "A storage transaction of {UnitCount} write units met an existing state where a unit expected none; running it again with conflict-tolerant inserts")]
    private static partial void BatchRunCarefully(ILogger logger, int unitCount);
}
