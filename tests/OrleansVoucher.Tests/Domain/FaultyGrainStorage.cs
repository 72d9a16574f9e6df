namespace OrleansVoucher.Tests.Domain;

/// <summary>The fault a <see cref="FaultyGrainStorage"/> injects.</summary>
public enum Fault
{
    /// <summary>The commit fails before anything is written.</summary>
    FailBeforeCommit,

    /// <summary>The commit is durable, then the call fails as if the process died before hearing back.</summary>
    FailAfterCommit,

    /// <summary>A read fails, so the grain being activated cannot be.</summary>
    FailRead,
}

/// <summary>The exception an injected fault throws.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);

/// <summary>
/// A store that injects one fault into the first operation matching a predicate, then behaves. With a
/// silo restart on the same store afterwards, it simulates a crash at any step of an operation.
/// </summary>
public sealed class FaultyGrainStorage(IGrainStorage inner, Fault fault, Func<GrainStateKey, bool> matches) : IGrainStorage, IAsyncDisposable
{
    private int _fired;

    /// <summary>Whether the fault has been injected.</summary>
    public bool Fired => Volatile.Read(ref _fired) != 0;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken) =>
        fault == Fault.FailRead && matches(key) && TryFire()
            ? Task.FromException<StoredState>(new InjectedFaultException($"Injected read failure of {key}."))
            : inner.ReadAsync(key, cancellationToken);

    public async Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var hit = fault != Fault.FailRead && unit.States.Any(s => matches(s.Key)) && TryFire();
        if (hit && fault == Fault.FailBeforeCommit)
        {
            throw new InjectedFaultException("Injected commit failure; nothing was written.");
        }

        var versions = await inner.CommitAsync(unit, cancellationToken);
        return hit ? throw new InjectedFaultException("Injected failure after a durable commit.") : versions;
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken) =>
        inner.ReadStreamAsync(stream, afterSequence, maxCount, cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken) =>
        inner.DeleteExpiredAsync(expiredBefore, maxCount, cancellationToken);

    /// <summary>Closes the store underneath, which the silo's container would otherwise never see.</summary>
    public ValueTask DisposeAsync() => inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;

    private bool TryFire() => Interlocked.Exchange(ref _fired, 1) == 0;
}
