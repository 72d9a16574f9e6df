namespace OrleansVoucher.Silo.Storage.GroupCommit;

/// <summary>
/// Checks what callers hand to a SQL store before it joins a batch: a value the database would
/// reject must fail its own call, never the whole transaction it would have shared with others.
/// </summary>
internal static class StorageArguments
{
    /// <summary>Throws <see cref="ArgumentException"/> for a key a SQL store cannot hold.</summary>
    public static void Validate(GrainStateKey key, string? parameterName = "key")
    {
        ValidateText(key.GrainType, parameterName, "grain type");
        ValidateText(key.StateName, parameterName, "state name");
        ValidateText(key.GrainKey, parameterName, "grain key");
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a unit a SQL store cannot hold.</summary>
    public static void Validate(WriteUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);

        // Index loops: this runs for every write, and enumerating an interface allocates an enumerator.
        var states = unit.States;
        for (var i = 0; i < states.Count; i++)
        {
            Validate(states[i].Key, nameof(unit));
        }

        var events = unit.Events;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            ValidateText(e.Stream, nameof(unit), "stream");
            ValidateText(e.Key, nameof(unit), "stream key");
            if (e.Payload is null)
            {
                throw new ArgumentException("A stream event needs a payload.", nameof(unit));
            }
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a stream name a SQL store cannot hold.</summary>
    public static void ValidateStream(string stream) => ValidateText(stream, nameof(stream), "stream");

    private static void ValidateText(string? value, string? parameterName, string what)
    {
        if (value is null)
        {
            throw new ArgumentException($"The {what} must not be null.", parameterName);
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {what} must not contain a NUL character.", parameterName);
        }

        if (!IsValidUtf16(value))
        {
            throw new ArgumentException($"The {what} contains an unpaired surrogate, which has no UTF-8 form.", parameterName);
        }
    }

    private static bool IsValidUtf16(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (!char.IsHighSurrogate(c) || i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1]))
            {
                return false;
            }

            i++;
        }

        return true;
    }
}
