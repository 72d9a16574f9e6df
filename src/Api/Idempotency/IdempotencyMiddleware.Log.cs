namespace OrleansVoucher.Api.Idempotency;

internal sealed partial class IdempotencyMiddleware
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "An idempotent request outlived its {Lease} lease; its response was not stored, so a retry runs it again")]
        public static partial void LeaseLost(ILogger logger, TimeSpan lease);

        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "An idempotent response exceeded {MaxBytes} bytes; replays will carry its status and headers only")]
        public static partial void ResponseTooLarge(ILogger logger, int maxBytes);
    }
}
