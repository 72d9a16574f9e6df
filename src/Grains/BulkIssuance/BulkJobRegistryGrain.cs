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

/// <summary>The registry of unfinished bulk jobs (one grain, <see cref="IBulkJobRegistryGrain.Key"/>).</summary>
[GrainType("bulk-job-registry")]
internal sealed class BulkJobRegistryGrain([PersistentState("registry")] IPersistentState<BulkJobRegistryState> state) : Grain, IBulkJobRegistryGrain
{
    public async Task AddAsync(string jobId)
    {
        if (state.State.Active.Add(jobId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string jobId)
    {
        if (state.State.Active.Remove(jobId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> GetActiveAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Active]);
}
