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
internal sealed class BulkJobRegistryGrain([PersistentState("registry")] IPersistentState<BulkJobRegistryState> state) : Grain, IBulkJobRegistryGrain
{
    public Task AddAsync(string jobId) => ChangeAsync(active => active.Add(jobId));

    public Task RemoveAsync(string jobId) => ChangeAsync(active => active.Remove(jobId));

    public async Task<IReadOnlyList<string>> GetActiveAsync()
    {
        await state.ReadStateAsync();
        return [.. state.State.Active];
    }

    /// <summary>Applies a change to the registry as the store holds it, again if another engine wrote it in between.</summary>
    private async Task ChangeAsync(Func<SortedSet<string>, bool> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            await state.ReadStateAsync();
            if (!change(state.State.Active))
            {
                return;
            }

            try
            {
                await state.WriteStateAsync();
                return;
            }
            catch (InconsistentStateException) when (attempt < Attempts.Max)
            {
            }
        }
    }
}
