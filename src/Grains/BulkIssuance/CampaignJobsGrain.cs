using OrleansVoucher.Grains.Common;

namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>The job ids of a campaign, oldest first.</summary>
internal sealed class CampaignJobsState
{
    public List<string> Jobs { get; set; } = [];
}

/// <summary>Where a job enters its campaign's list.</summary>
internal interface ICampaignJobsRegistry : IGrainWithStringKey
{
    /// <summary>Adds a job to the campaign's list; adding it again changes nothing.</summary>
    Task AddAsync(string jobId);
}

/// <summary>
/// A campaign's list of bulk jobs (<see cref="ICampaignJobsGrain"/>). A job is added before the job itself
/// is stored, so a job that exists is always listed; a job whose creation broke off may be listed and
/// never exist, and a listing leaves it out. Uploads to one campaign may arrive at different engines, so
/// the list is read from the store on every call and added to as the store holds it.
/// </summary>
[GrainType("campaign-jobs")]
internal sealed class CampaignJobsGrain : Grain, ICampaignJobsGrain, ICampaignJobsRegistry
{
    private readonly TransactionalState<CampaignJobsState> _state;

    public CampaignJobsGrain([PersistentState("jobs")] IPersistentState<CampaignJobsState> state, IServiceProvider services) =>
        _state = new GrainServices(services).Transactional(state);

    public async Task<IReadOnlyList<string>> ListAsync()
    {
        await _state.ReloadAsync();
        return [.. _state.State.Jobs];
    }

    // Entries are only ever added: a copy that is behind can only lack one, and then the write meets the
    // newer version and the change is made again on what the store holds.
    public Task AddAsync(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return _state.ChangeAsync(draft =>
        {
            if (draft.Jobs.Contains(jobId))
            {
                return null;
            }

            draft.Jobs.Add(jobId);
            return [];
        }, Attempts.SharedList);
    }
}
