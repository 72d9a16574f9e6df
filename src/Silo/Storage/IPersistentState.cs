namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// A grain's durable state, loaded before the grain's first call (Orleans' <c>IPersistentState&lt;T&gt;</c>).
/// Change <see cref="State"/>, then write it: the write is conditional on <see cref="Version"/>, and the
/// task completes once the state is durable. A write that fails (a lost version race or a storage
/// fault) throws, and the activation is deactivated at the end of the call, so the next call starts
/// from what the store holds.
/// </summary>
public interface IPersistentState<TState>
    where TState : class, new()
{
    /// <summary>The state. A new <typeparamref name="TState"/> until something is stored.</summary>
    TState State { get; set; }

    /// <summary>The stored version this activation last read or wrote; 0 when nothing is stored.</summary>
    long Version { get; }

    /// <summary>The version as an opaque tag, or null when nothing is stored (Orleans' <c>Etag</c>).</summary>
    string? Etag { get; }

    /// <summary>Whether the store holds a record of this state.</summary>
    bool RecordExists { get; }

    /// <summary>The storage key of this state.</summary>
    GrainStateKey Key { get; }

    /// <summary>Reloads the state from the store.</summary>
    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// What the store holds now, read without changing <see cref="State"/> or <see cref="Version"/>: for an
    /// answer that must show what another activation (in this process or another) wrote, whatever this
    /// activation holds — a draft waiting for its transaction's outcome included. Null when the store
    /// holds no record.
    /// </summary>
    Task<TState?> ReadStoredAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the state; completes when it is durable.</summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the state together with stream events, atomically; completes when both are durable.</summary>
    Task WriteStateAsync(IReadOnlyList<StreamEventWrite> events, CancellationToken cancellationToken = default);

    /// <summary>Clears the stored record (its version is kept) and resets <see cref="State"/>.</summary>
    Task ClearStateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The conditional write of the current <see cref="State"/>, for a caller that commits several
    /// grains' states in one <see cref="WriteUnit"/>. Follow a successful commit with
    /// <see cref="OnCommitted"/>; after a failed one, the activation must reload (see
    /// <see cref="OnCommitFailed"/>).
    /// </summary>
    StateWrite PrepareWrite();

    /// <summary>Records the version a commit of <see cref="PrepareWrite"/> produced.</summary>
    void OnCommitted(long newVersion);

    /// <summary>Marks the in-memory state untrusted after a failed commit: the activation will reload.</summary>
    void OnCommitFailed();
}
