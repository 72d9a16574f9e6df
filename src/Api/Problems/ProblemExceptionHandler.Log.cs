namespace OrleansVoucher.Api.Problems;

internal sealed partial class ProblemExceptionHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Route}")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, string route);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Rejected {Method} {Route}: {Code}")]
        public static partial void ClientError(ILogger logger, string code, string method, string route);
    }
}
