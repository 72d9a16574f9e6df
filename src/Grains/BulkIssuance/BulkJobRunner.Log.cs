using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Grains.BulkIssuance;

internal sealed partial class BulkJobRunner
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Bulk job {JobId}: issuing {PendingChunks} of {ChunkCount} chunks")]
    private static partial void JobStarted(ILogger logger, string jobId, int pendingChunks, int chunkCount);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Bulk job {JobId}: stopped issuing ({Reason})")]
    private static partial void JobStopped(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Bulk job {JobId} failed for now ({Faults} runs in a row); it resumes from its last recorded chunk after {RetryDelay}")]
    private static partial void JobFaulted(ILogger logger, string jobId, int faults, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Looking for bulk jobs failed")]
    private static partial void PollFailed(ILogger logger, Exception exception);
}
