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

        var draft = _state.Draft();
        draft.Policy = policy;
        await _state.WriteAsync(draft, [EventSerializer.ToStream(Streams.Region(Code), Code, new RegionPolicyChanged { At = _services.Now, RegionCode = Code, Policy = policy })]);
        return Result.Ok;
    }

    public Task<RegionPolicy?> GetPolicyAsync() => Task.FromResult(_state.State.Policy);

    public Task<IReadOnlyList<string>> ListCampaignsAsync() => Task.FromResult<IReadOnlyList<string>>([.. _state.State.Campaigns]);

    public Task<IReadOnlyList<string>> ListInstitutionsAsync() => Task.FromResult<IReadOnlyList<string>>([.. _state.State.Institutions]);

    public async Task AddCampaignAsync(string campaignId)
    {
        if (!_state.State.Campaigns.Contains(campaignId))
        {
            var draft = _state.Draft();
            draft.Campaigns.Add(campaignId);
            await _state.WriteAsync(draft, []);
        }
    }

    public async Task AddInstitutionAsync(string institutionId)
    {
        if (!_state.State.Institutions.Contains(institutionId))
        {
            var draft = _state.Draft();
            draft.Institutions.Add(institutionId);
            await _state.WriteAsync(draft, []);
        }
    }
}
