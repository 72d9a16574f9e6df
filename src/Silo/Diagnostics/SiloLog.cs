using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo.Diagnostics;

/// <summary>The silo's log messages, with stable event ids.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Activation of {GrainId} failed; its waiting calls fail and the next call retries")]
    public static partial void ActivationFailed(this ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "The deactivation hook of {GrainId} failed")]
    public static partial void DeactivationHookFailed(this ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Trace, Message = "Deactivated {GrainId} ({Reason})")]
    public static partial void Deactivated(this ILogger logger, GrainId grainId, DeactivationReason reason);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Idle collection deactivated {Count} activations idle for {IdleFor}; {Remaining} remain")]
    public static partial void Collected(this ILogger logger, int count, TimeSpan idleFor, long remaining);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "{Count} activations exceed the limit of {Limit}; collecting the least recently used")]
    public static partial void CollectingUnderPressure(this ILogger logger, long count, int limit);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Idle collection failed")]
    public static partial void CollectionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Silo started with grain types {GrainTypes}")]
    public static partial void Started(this ILogger logger, string grainTypes);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Silo stopping: deactivating {Count} activations")]
    public static partial void Stopping(this ILogger logger, long count);
}
