namespace OrleansVoucher.Silo.Storage;

/// <summary>
/// One conditional write: replace the state at <see cref="Key"/> with <see cref="Payload"/> if and only
/// if its stored version is still <see cref="ExpectedVersion"/> (0: no record yet). A null payload
/// clears the record. On success the stored version becomes <c>ExpectedVersion + 1</c>, and the record's
/// expiry becomes <see cref="ExpiresAt"/> (see <see cref="IExpiringState"/>): null keeps the record until
/// it is written again, a time lets <see cref="IGrainStorage.DeleteExpiredAsync"/> remove it later.
/// </summary>
public readonly record struct StateWrite(GrainStateKey Key, long ExpectedVersion, byte[]? Payload, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>
    /// The write of <paramref name="state"/> (null: clear the record) over <paramref name="expectedVersion"/>:
    /// serialized, with the expiry the state declares when it is an <see cref="IExpiringState"/>.
    /// </summary>
    public static StateWrite Of<TState>(GrainStateKey key, long expectedVersion, TState? state, IGrainStateSerializer serializer)
        where TState : class =>
        new(key, expectedVersion, state is null ? null : serializer.Serialize(state), (state as IExpiringState)?.ExpiresAt);
}
