using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo.Hosting;

public sealed partial class ExpiredStateSweeper
{
    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Deleted {Count} states of storage '{StorageName}' that expired before {ExpiredBefore}")]
    private static partial void Swept(ILogger logger, long count, string storageName, DateTimeOffset expiredBefore);

    [LoggerMessage(EventId = 131, Level = LogLevel.Error, Message = "Sweeping expired states failed; the next sweep tries again")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
