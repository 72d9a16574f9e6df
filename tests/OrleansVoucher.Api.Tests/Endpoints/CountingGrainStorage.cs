using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// Passes every call through to the engine's grain store and counts the reads (state and stream) and
/// the commits, so a test can tell whether an operation touched storage; and runs a test's step just
/// before a commit it picks (<see cref="Interleave"/>).
/// </summary>
public sealed class CountingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private long _stateReads;
    private long _streamReads;
    private long _commits;
    private Interleaving? _interleaving;
    private Func<WriteUnit, bool>? _failing;

    /// <summary>States read.</summary>
    public long StateReads => Interlocked.Read(ref _stateReads);

    /// <summary>Stream pages read.</summary>
    public long StreamReads => Interlocked.Read(ref _streamReads);

    /// <summary>Units committed.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Replaces the engine's default grain store with a counting one that <paramref name="install"/> receives.</summary>
    public static Action<IServiceCollection> Install(Action<CountingGrainStorage> install) => services =>
    {
        var registration = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService
            && Equals(d.ServiceKey, PersistentStateAttribute.DefaultStorageName));
        var factory = registration.KeyedImplementationFactory!;
        services.Remove(registration);
        services.AddKeyedSingleton<IGrainStorage>(PersistentStateAttribute.DefaultStorageName, (provider, key) =>
        {
            var counting = new CountingGrainStorage((IGrainStorage)factory(provider, key));
            install(counting);
            return counting;
        });
    };

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _stateReads);
        return inner.ReadAsync(key, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="step"/> once, just before the next commit that <paramref name="matches"/> reaches
    /// the store: what the step writes lands between what the committing grains read and their commit.
    /// </summary>
    public void Interleave(Func<WriteUnit, bool> matches, Func<Task> step) => Volatile.Write(ref _interleaving, new Interleaving(matches, step));

    /// <summary>Fails every commit that <paramref name="matches"/> as a store that cannot be written would, until called with null.</summary>
    public void FailCommits(Func<WriteUnit, bool>? matches) => Volatile.Write(ref _failing, matches);

    public async Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _commits);
        if (Volatile.Read(ref _failing) is { } failing && failing(unit))
        {
            throw new IOException("The store refused the commit.");
        }

        if (Volatile.Read(ref _interleaving) is { } interleaving && interleaving.Matches(unit)
            && Interlocked.CompareExchange(ref _interleaving, null, interleaving) == interleaving)
        {
            await interleaving.Step();
        }

        return await inner.CommitAsync(unit, cancellationToken);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _streamReads);
        return inner.ReadStreamAsync(stream, afterSequence, maxCount, cancellationToken);
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken) =>
        inner.DeleteExpiredAsync(expiredBefore, maxCount, cancellationToken);

    private sealed record Interleaving(Func<WriteUnit, bool> Matches, Func<Task> Step);
}
