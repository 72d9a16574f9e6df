using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansVoucher.Tests.Storage;

/// <summary>Keeps the event ids logged through it, so a test can tell which path a store took.</summary>
public sealed class CollectingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<int> EventIds { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        EventIds.Enqueue(eventId.Id);
}
