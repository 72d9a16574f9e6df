using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;

namespace OrleansVoucher.Grains.Regions;

/// <summary>What a region's authority keeps.</summary>
internal sealed class RegionState
{
    public RegionPolicy? Policy { get; set; }

    public List<string> Campaigns { get; set; } = [];

    public List<string> Institutions { get; set; } = [];
}

/// <summary>Registrations other grains make with their region; idempotent.</summary>
internal interface IRegionRegistry : IGrainWithStringKey
{
    /// <summary>Lists a campaign under the region.</summary>
    Task AddCampaignAsync(string campaignId);

    /// <summary>Lists an institution under the region.</summary>
    Task AddInstitutionAsync(string institutionId);
}

/// <summary>A region's authority: its policy settings and what it has listed.</summary>
[GrainType("region")]
internal sealed class RegionGrain : Grain, IRegionGrain, IRegionRegistry
{
    private readonly GrainServices _services;
    private readonly TransactionalState<RegionState> _state;

    public RegionGrain([PersistentState("region")] IPersistentState<RegionState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string Code => this.GetPrimaryKeyString();

    public async Task<Result> SetPolicyAsync(RegionPolicy policy)
    {
        if (!RegionCode.IsValid(Code))
        {
            return Result.Reject(RejectionCode.InvalidRegionCode, $"'{Code}' is not a region code.");
        }

        if (policy is null)
        {
            return Result.Reject(RejectionCode.InvalidRequest, "A policy is required.");
        }

        if (policy.Validate() is { } problem)
        {
            return Result.Reject(RejectionCode.InvalidRequest, problem);
        }

        // A setting replaced whatever it was: written on what the store holds, if another engine wrote in between.
        await _state.ChangeAsync(draft =>
        {
            draft.Policy = policy;
            return [EventSerializer.ToStream(Streams.Region(Code), Code, new RegionPolicyChanged { At = _services.Now, RegionCode = Code, Policy = policy })];
        });
        return Result.Ok;
    }

    // The policy and the lists are read from the store on every call: another engine may have changed
    // them since this activation read them, and their callers (a campaign opening, a class registering,
    // a strike, a list) are few, unlike the calls a verification makes.
    public async Task<RegionPolicy?> GetPolicyAsync()
    {
        await _state.ReloadAsync();
        return _state.State.Policy;
    }

    public async Task<IReadOnlyList<string>> ListCampaignsAsync()
    {
        await _state.ReloadAsync();
        return [.. _state.State.Campaigns];
    }

    public async Task<IReadOnlyList<string>> ListInstitutionsAsync()
    {
        await _state.ReloadAsync();
        return [.. _state.State.Institutions];
    }

    public Task AddCampaignAsync(string campaignId) => AddAsync(state => state.Campaigns, campaignId);

    public Task AddInstitutionAsync(string institutionId) => AddAsync(state => state.Institutions, institutionId);

    /// <summary>Adds an id to one of the region's lists as the store holds it, if another engine wrote it in between.</summary>
    private Task AddAsync(Func<RegionState, List<string>> list, string id) =>
        _state.ChangeAsync(draft =>
        {
            if (list(draft).Contains(id))
            {
                return null;
            }

            list(draft).Add(id);
            return [];
        });
}
