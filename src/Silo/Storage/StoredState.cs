namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// A state as the store holds it. <see cref="Version"/> is 0 when no record exists; a cleared record
/// keeps its version (so a stale writer can never resurrect it) and has no payload.
/// </summary>
public readonly record struct StoredState(long Version, byte[]? Payload)
{
    /// <summary>The state of a key the store has never seen.</summary>
    public static StoredState Absent => default;

    /// <summary>Whether a payload is stored (written and not cleared).</summary>
    public bool RecordExists => Payload is not null;
}
