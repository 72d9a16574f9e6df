using System.Collections.Concurrent;

namespace OrleansVoucher.Tests.Domain;

/// <summary>A unit a <see cref="RecordingGrainStorage"/> was asked to commit, and how the commit ended.</summary>
/// <param name="States">The unit's state writes.</param>
/// <param name="Failure">The exception the commit threw; null when it committed.</param>
public sealed record RecordedUnit(IReadOnlyList<StateWrite> States, Exception? Failure);

/// <summary>A store that keeps every unit committed through it (with its outcome), to see what operations write.</summary>
public sealed class RecordingGrainStorage(IGrainStorage inner) : IGrainStorage, IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedUnit> _units = new();

    /// <summary>The units so far, in the order their commits ended.</summary>
    public IReadOnlyList<RecordedUnit> Units => [.. _units];

    /// <summary>Forgets the units so far.</summary>
    public void Clear() => _units.Clear();

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

    public async Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        try
        {
            var versions = await inner.CommitAsync(unit, cancellationToken);
            _units.Enqueue(new RecordedUnit(unit.States, null));
            return versions;
        }
        catch (Exception e)
        {
            _units.Enqueue(new RecordedUnit(unit.States, e));
            throw;
        }
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken) =>
        inner.ReadStreamAsync(stream, afterSequence, maxCount, cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken) =>
        inner.DeleteExpiredAsync(expiredBefore, maxCount, cancellationToken);

    /// <summary>Closes the store underneath, which the silo's container would otherwise never see.</summary>
    public ValueTask DisposeAsync() => inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
