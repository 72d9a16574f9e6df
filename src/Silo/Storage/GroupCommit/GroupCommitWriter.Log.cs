using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo.Storage.GroupCommit;

internal sealed partial class GroupCommitWriter
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "A {Store} storage transaction of {UnitCount} write units failed; every unit in it fails")]
    private static partial void BatchFailed(ILogger logger, string store, int unitCount, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Critical, Message = "The {Store} storage's group commit loop failed; pending writes fail")]
    private static partial void LoopFailed(ILogger logger, string store, Exception exception);
}
