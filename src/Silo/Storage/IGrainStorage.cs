namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// Durable storage of grain states and stream events, shaped after Orleans' <c>IGrainStorage</c>.
/// Every write is conditional on the version the writer read, so several processes may share one
/// store: a write that loses the race fails with <see cref="InconsistentStateException"/> and
/// nothing is silently overwritten. A task returned by a write completes only when its data is
/// durable.
/// </summary>
public interface IGrainStorage
{
    /// <summary>Creates or migrates the store's schema. Called once when the silo starts.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Reads one state; <see cref="StoredState.Absent"/> when none was ever written.</summary>
    Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Reads many states at once, in the order of <paramref name="keys"/>; <see cref="StoredState.Absent"/>
    /// for a key never written. The states are not one snapshot: each is what a
    /// <see cref="ReadAsync"/> of its own could have returned. A store answers with as few round trips as
    /// it can; this default reads each key on its own.
    /// </summary>
    async Task<IReadOnlyList<StoredState>> ReadManyAsync(IReadOnlyList<GrainStateKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var reads = new Task<StoredState>[keys.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            reads[i] = ReadAsync(keys[i], cancellationToken);
        }

        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    /// <summary>
    /// Commits a unit atomically and returns the new version of each state write, in order. Throws
    /// <see cref="InconsistentStateException"/> (naming the first losing state) if any state's version
    /// check fails, in which case nothing of the unit was written.
    /// </summary>
    Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="maxCount"/> events of a stream namespace with a sequence number
    /// greater than <paramref name="afterSequence"/>, in sequence order.
    /// </summary>
    Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="maxCount"/> stored states whose expiry (<see cref="StateWrite.ExpiresAt"/>)
    /// is earlier than <paramref name="expiredBefore"/>, and returns how many it deleted; fewer than
    /// <paramref name="maxCount"/> means none is left. A deleted state reads as <see cref="StoredState.Absent"/>
    /// again, so its version starts over: call this only with a time that no activation holding such a
    /// version can still be working before (see <see cref="IExpiringState"/>). A state rewritten
    /// concurrently with a later or no expiry is kept. Several processes may sweep one store at once.
    /// </summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken);
}
