using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Silo;

public sealed partial class SiloRuntime
{
    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Silo stopped before every activation was deactivated: {Count} were still busy when the host's shutdown timeout passed; their deactivation hooks did not run")]
    private static partial void StoppedWithBusyActivations(ILogger logger, long count);
}
