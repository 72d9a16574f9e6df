namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// A conditional write lost a version race: the store holds a version other than the one the writer
/// read, so another activation (in this process or another) wrote first. Nothing was written. The
/// activation that caught it is deactivated, so its next call reloads the stored state.
/// </summary>
public sealed class InconsistentStateException : Exception
{
    /// <summary>Creates the exception for a key.</summary>
    public InconsistentStateException(GrainStateKey key, long expectedVersion, long? storedVersion)
        : base(storedVersion is { } stored
            ? $"Version conflict on {key}: expected version {expectedVersion}, the store holds {stored}."
            : $"Version conflict on {key}: expected version {expectedVersion}, the store holds another.")
    {
        Key = key;
        ExpectedVersion = expectedVersion;
        StoredVersion = storedVersion;
    }

    /// <summary>The state whose write lost.</summary>
    public GrainStateKey Key { get; }

    /// <summary>The version the writer expected.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version the store held, when the store reported it.</summary>
    public long? StoredVersion { get; }
}
