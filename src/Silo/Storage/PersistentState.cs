using System.Globalization;
using OrleansVoucher.Silo.Catalog;

namespace OrleansVoucher.Silo.Storage;

/// <summary>The silo's <see cref="IPersistentState{TState}"/>: one per grain activation and state name.</summary>
internal sealed class PersistentState<TState> : IPersistentState<TState>, IActivationLifecycleParticipant
    where TState : class, new()
{
    private readonly ActivationData _activation;
    private readonly IGrainStorage _storage;
    private readonly IGrainStateSerializer _serializer;

    public PersistentState(ActivationData activation, GrainStateKey key, IGrainStorage storage, IGrainStateSerializer serializer)
    {
        _activation = activation;
        Key = key;
        _storage = storage;
        _serializer = serializer;
        State = new TState();
    }

    public TState State { get; set; }

    public long Version { get; private set; }

    public string? Etag => Version == 0 ? null : Version.ToString(CultureInfo.InvariantCulture);

    public bool RecordExists { get; private set; }

    public GrainStateKey Key { get; }

    public Task OnActivateAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await _storage.ReadAsync(Key, cancellationToken).ConfigureAwait(false);
        State = Decode(stored) ?? new TState();
        Version = stored.Version;
        RecordExists = stored.RecordExists;
    }

    public async Task<TState?> ReadStoredAsync(CancellationToken cancellationToken = default)
    {
        return Decode(await _storage.ReadAsync(Key, cancellationToken).ConfigureAwait(false));
    }

    private TState? Decode(StoredState stored) => stored.Payload is { } payload ? _serializer.Deserialize<TState>(payload) : null;

    public Task WriteStateAsync(CancellationToken cancellationToken = default) => CommitAsync(PrepareWrite(), [], cancellationToken);

    public Task WriteStateAsync(IReadOnlyList<StreamEventWrite> events, CancellationToken cancellationToken = default) =>
        CommitAsync(PrepareWrite(), events, cancellationToken);

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        // A cleared record holds nothing anyone depends on: one of an expiring state expires at once (it
        // is swept after the grace period, like any expired record); one of another state is kept, its
        // version guarding against stale writers.
        var expiresAt = State is IExpiringState ? _activation.Runtime.TimeProvider.GetUtcNow() : (DateTimeOffset?)null;
        await CommitAsync(new StateWrite(Key, Version, Payload: null, expiresAt), [], cancellationToken).ConfigureAwait(false);
        State = new TState();
    }

    public StateWrite PrepareWrite() => StateWrite.Of(Key, Version, State, _serializer);

    public void OnCommitted(long newVersion)
    {
        Version = newVersion;
        RecordExists = true;
    }

    public void OnCommitFailed() => _activation.RequestDeactivation(DeactivationReason.InconsistentState);

    /// <summary>Keeps the activation (see <see cref="ActivationData.Hold"/>) while this state holds a transaction's draft.</summary>
    internal void HoldActivation(TimeSpan lease) => _activation.Hold(lease);

    /// <summary>Ends <see cref="HoldActivation"/>.</summary>
    internal void ReleaseActivation() => _activation.Release();

    private async Task CommitAsync(StateWrite write, IReadOnlyList<StreamEventWrite> events, CancellationToken cancellationToken)
    {
        IReadOnlyList<long> versions;
        try
        {
            versions = await _storage.CommitAsync(new WriteUnit([write], events), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Lost race or storage fault: whatever the grain changed in memory is not what the store
            // holds (or may hold), so this activation must not serve another call with it.
            OnCommitFailed();
            throw;
        }

        Version = versions[0];
        RecordExists = write.Payload is not null;
    }
}
