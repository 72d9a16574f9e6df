using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Api.Tests.Infrastructure;

/// <summary>A log provider that keeps every entry's message, structured values, scopes and exception text.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _entries = new();
    private IExternalScopeProvider? _scopes;

    /// <summary>Every entry so far, one string each: category, message, values, scopes, exception.</summary>
    public IReadOnlyList<string> Entries => [.. _entries];

    /// <summary>All entries as one text.</summary>
    public string Text => string.Join('\n', _entries);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new System.Text.StringBuilder()
                .Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    entry.Append(" | ").Append(key).Append('=').Append(value);
                }
            }

            owner._scopes?.ForEachScope(
                static (scope, builder) =>
                {
                    builder.Append(" | scope: ").Append(scope);
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            builder.Append(' ').Append(key).Append('=').Append(value);
                        }
                    }
                },
                entry);
            if (exception is not null)
            {
                entry.Append(" | exception: ").Append(exception);
            }

            owner._entries.Enqueue(entry.ToString());
        }
    }
}
