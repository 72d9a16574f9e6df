using System.Collections.Concurrent;

namespace OrleansVoucher.Api.Logging;

/// <summary>
/// Wraps the host's logger factory so that every logger, whichever provider writes it (console, JSON,
/// a collector added later), passes messages, structured values, scopes and exception texts through
/// <see cref="Redact.Text"/>. It is the last line of defence: code logs ids through
/// <see cref="Redact.CitizenId"/> in the first place, and request paths or exception messages that
/// carry an id or a token (ASP.NET Core's own request logging, a storage error naming a grain) are
/// masked here.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    // One logger per category, as the inner factory keeps (its loggers follow providers added later):
    // components made per request, such as the bearer-token handler, ask for theirs on every request.
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.TryGetValue(categoryName, out var logger)
            ? logger
            : _loggers.GetOrAdd(categoryName, static (name, factory) => new RedactingLogger(factory.CreateLogger(name)), inner);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            inner.BeginScope(RedactedLogState.From(state));

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var redacted = RedactedLogState.From(state, formatter, exception);
            inner.Log(logLevel, eventId, redacted, RedactedException.From(exception), static (s, _) => s.ToString());
        }
    }
}
