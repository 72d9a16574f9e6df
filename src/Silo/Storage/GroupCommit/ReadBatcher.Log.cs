using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo.Storage.GroupCommit;

internal sealed partial class ReadBatcher
{
    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "A {Store} storage read of {KeyCount} states failed; every read in it fails")]
    private static partial void ReadFailed(ILogger logger, string store, int keyCount, Exception exception);
}
