namespace OrleansVoucher.Tests.Runtime.Stores;

/// <summary>
/// Wraps a store so a test can hold reads at a gate and make commits fail, to observe what the silo
/// does while a state is loading or after a write failed.
/// </summary>
public sealed class InterceptingGrainStorage(IGrainStorage inner) : IGrainStorage, IAsyncDisposable
{
    private int _reads;
    private int _commits;

    /// <summary>When set, every read waits for this task before it reaches the store.</summary>
    public Task? ReadGate { get; set; }

    /// <summary>When it returns an exception for a unit, the commit fails with it and writes nothing.</summary>
    public Func<WriteUnit, Exception?>? CommitFault { get; set; }

    /// <summary>Reads that reached the store.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Commits attempted.</summary>
    public int Commits => Volatile.Read(ref _commits);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public async Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        if (ReadGate is { } gate)
        {
            await gate.ConfigureAwait(false);
        }

        Interlocked.Increment(ref _reads);
        return await inner.ReadAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _commits);
        return CommitFault?.Invoke(unit) is { } fault
            ? Task.FromException<IReadOnlyList<long>>(fault)
            : inner.CommitAsync(unit, cancellationToken);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken) =>
        inner.ReadStreamAsync(stream, afterSequence, maxCount, cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken) =>
        inner.DeleteExpiredAsync(expiredBefore, maxCount, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
