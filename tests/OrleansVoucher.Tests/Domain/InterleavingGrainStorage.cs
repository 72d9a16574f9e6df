namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A store that runs another writer's step just before the first commit matching a predicate reaches
/// the store underneath: the step lands between what the committing grain read and its commit.
/// </summary>
public sealed class InterleavingGrainStorage(IGrainStorage inner, Func<WriteUnit, bool> matches, Func<Task> step) : IGrainStorage, IAsyncDisposable
{
    private int _fired;

    /// <summary>Whether the step has run.</summary>
    public bool Fired => Volatile.Read(ref _fired) != 0;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

    public Task<IReadOnlyList<StoredState>> ReadManyAsync(IReadOnlyList<GrainStateKey> keys, CancellationToken cancellationToken) => inner.ReadManyAsync(keys, cancellationToken);

    public async Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (matches(unit) && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            await step();
        }

        return await inner.CommitAsync(unit, cancellationToken);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken) =>
        inner.ReadStreamAsync(stream, afterSequence, maxCount, cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken) =>
        inner.DeleteExpiredAsync(expiredBefore, maxCount, cancellationToken);

    /// <summary>Closes the store underneath, which the silo's container would otherwise never see.</summary>
    public ValueTask DisposeAsync() => inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
