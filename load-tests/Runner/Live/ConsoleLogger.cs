using Microsoft.Extensions.Logging;

namespace OrleansVoucher.LoadTests.Runner.Live;

/// <summary>Runner and scenario logs on stderr, written through the live view so that they appear above its block.</summary>
internal sealed class ConsoleLoggerProvider(LiveConsoleView view, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(view, minimum, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LiveConsoleView view, LogLevel minimum, string category) : ILogger
    {
        private readonly string _source = category.StartsWith("OrleansVoucher.LoadTests.", StringComparison.Ordinal) ? category["OrleansVoucher.LoadTests.".Length..] : category;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Critical => "crit",
                LogLevel.Error => "fail",
                LogLevel.Warning => "warn",
                LogLevel.Information => "info",
                _ => "dbug",
            };
            var message = formatter(state, exception);
            view.Log($"[{DateTime.Now:HH:mm:ss}] {level} {_source}: {message}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
        }
    }
}
