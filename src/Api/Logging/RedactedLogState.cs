using System.Collections;

namespace OrleansVoucher.Api.Logging;

/// <summary>
/// A log entry's state with its message and string values masked by <see cref="Redact.Text"/>. It keeps
/// the structured shape (a list of name/value pairs, <c>{OriginalFormat}</c> included), so providers
/// that write properties still do.
/// </summary>
internal sealed class RedactedLogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _values;
    private readonly string _message;

    private RedactedLogState(KeyValuePair<string, object?>[] values, string message)
    {
        _values = values;
        _message = message;
    }

    public int Count => _values.Length;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    /// <summary>The masked state of a log entry.</summary>
    public static RedactedLogState From<TState>(TState state, Func<TState, Exception?, string> formatter, Exception? exception) =>
        new(ValuesOf(state), Redact.Text(formatter(state, exception) ?? ""));

    /// <summary>The masked state of a scope.</summary>
    public static object From<TState>(TState state)
        where TState : notnull =>
        state switch
        {
            string text => Redact.Text(text),
            // Masked when a provider first reads it: most never read scopes (the console logger by
            // default), and the request scope ASP.NET Core begins for every request would otherwise be
            // formatted and masked for nothing.
            IEnumerable<KeyValuePair<string, object?>> => new LazyRedactedScope<TState>(state),
            _ => Redact.Text(state.ToString() ?? ""),
        };

    /// <summary>The masked state of a scope of name/value pairs, made now.</summary>
    internal static RedactedLogState FromPairs<TState>(TState state)
        where TState : notnull =>
        new(ValuesOf(state), Redact.Text(state.ToString() ?? ""));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => _message;

    private static KeyValuePair<string, object?>[] ValuesOf<TState>(TState state)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            return [];
        }

        return [.. pairs.Select(static pair => new KeyValuePair<string, object?>(pair.Key, RedactValue(pair.Key, pair.Value)))];
    }

    private static object? RedactValue(string key, object? value) => value switch
    {
        // The message template names the values; it holds no data of its own.
        string text when key == "{OriginalFormat}" => text,
        string text => Redact.Text(text),
        null => null,
        bool or byte or short or int or long or float or double or decimal or Guid or DateTime or DateTimeOffset or TimeSpan or Enum => value,
        _ => Redact.Text(value.ToString() ?? ""),
    };
}

/// <summary>
/// A scope of name/value pairs that is masked by <see cref="RedactedLogState"/> when first read, and so
/// costs nothing when no provider reads scopes. Readers see only the masked values and text.
/// </summary>
internal sealed class LazyRedactedScope<TState>(TState state) : IReadOnlyList<KeyValuePair<string, object?>>
    where TState : notnull
{
    private RedactedLogState? _redacted;

    // A race makes the same masked copy twice; either is right.
    private RedactedLogState Redacted => _redacted ??= RedactedLogState.FromPairs(state);

    public int Count => Redacted.Count;

    public KeyValuePair<string, object?> this[int index] => Redacted[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Redacted.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Redacted.ToString();
}
