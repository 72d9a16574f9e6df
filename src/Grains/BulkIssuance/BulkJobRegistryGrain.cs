using OrleansVoucher.Grains.Common;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>The registry's state: the jobs not yet finished.</summary>
internal sealed class BulkJobRegistryState
{
    public SortedSet<string> Active { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The jobs that are receiving or issuing, so that a restarted engine finds and resumes them.</summary>
internal interface IBulkJobRegistryGrain : IGrainWithStringKey
{
    /// <summary>The single registry's key.</summary>
    const string Key = "active";

    /// <summary>Adds a job.</summary>
    Task AddAsync(string jobId);

    /// <summary>Removes a finished job.</summary>
    Task RemoveAsync(string jobId);

    /// <summary>The jobs not yet finished.</summary>
    Task<IReadOnlyList<string>> GetActiveAsync();
}

/// <summary>
/// The registry of unfinished bulk jobs (one grain, <see cref="IBulkJobRegistryGrain.Key"/>). Every engine's
/// runner polls it, and every engine adds the jobs uploaded to it: an activation in one engine does not
/// see what another engine's activation wrote, so the registry is read from the store on every call.
/// </summary>
[GrainType("bulk-job-registry")]
internal sealed class BulkJobRegistryGrain : Grain, IBulkJobRegistryGrain
{
    private readonly TransactionalState<BulkJobRegistryState> _state;

    public BulkJobRegistryGrain([PersistentState("registry")] IPersistentState<BulkJobRegistryState> state, IServiceProvider services) =>
        _state = new GrainServices(services).Transactional(state);

    public Task AddAsync(string jobId) => ChangeAsync(active => active.Add(jobId));

    public Task RemoveAsync(string jobId) => ChangeAsync(active => active.Remove(jobId));

    public async Task<IReadOnlyList<string>> GetActiveAsync()
    {
        await _state.ReloadAsync();
        return [.. _state.State.Active];
    }

    /// <summary>
    /// Applies a change to the registry as the store holds it, again if another engine wrote it in
    /// between. Read first: a change that finds nothing to do (a removal of a job this activation never
    /// saw added) writes nothing, so it must not decide on a state that may be behind.
    /// </summary>
    private async Task ChangeAsync(Func<SortedSet<string>, bool> change)
    {
        await _state.ReloadAsync();
        await _state.ChangeAsync(draft => change(draft.Active) ? [] : null, Attempts.SharedList);
    }
}
