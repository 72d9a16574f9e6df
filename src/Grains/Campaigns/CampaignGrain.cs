using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>What the engine keeps of a campaign.</summary>
internal sealed class CampaignState
{
    public CampaignDefinition? Definition { get; set; }

    public CampaignStatus Status { get; set; }

    public RegionPolicy? Policy { get; set; }

    /// <summary>Stock and budget handed to each issuer, cumulatively.</summary>
    public Dictionary<int, AllocationState> Allocations { get; set; } = [];

    public int AllocatedQuantity { get; set; }

    public long AllocatedBudgetFen { get; set; }

    public DateTimeOffset? OpenedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }
}

/// <summary>What one issuer has received.</summary>
internal sealed class AllocationState
{
    public int Quantity { get; set; }

    public long BudgetFen { get; set; }
}

/// <summary>
/// A campaign: design, status and the single writer of its stock. Issuers draw blocks from it, so the
/// sum of all blocks, and therefore of all vouchers issued, never exceeds the caps (R5).
/// </summary>
[GrainType("campaign")]
internal sealed class CampaignGrain : Grain, ICampaignGrain, ICampaignStock
{
    private const int MaxBlock = 500;

    private readonly GrainServices _services;
    private readonly TransactionalState<CampaignState> _state;

    public CampaignGrain([PersistentState("campaign")] IPersistentState<CampaignState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task<Result<CampaignView>> CreateAsync(CampaignDefinition definition)
    {
        if (!CampaignIds.IsValid(Id))
        {
            return Result<CampaignView>.Reject(RejectionCode.InvalidRequest, $"'{Id}' is not a campaign id (letters, digits, '-' and '_').");
        }

        if (_state.State.Definition is not null)
        {
            return Result<CampaignView>.Reject(RejectionCode.AlreadyExists, $"Campaign {Id} exists.");
        }

        if (Invalid(definition) is { } invalid)
        {
            return invalid;
        }

        // Listed with the region, its city and its province first, so each counts it in its statistics.
        // A crash in between leaves a listed campaign that does not exist, which counts as empty.
        foreach (var region in RegionLookup.SelfAndAncestors(definition.RegionCode))
        {
            await GrainFactory.GetGrain<IRegionRegistry>(region).AddCampaignAsync(Id);
        }
        var draft = _state.Draft();
        draft.Definition = definition;
        draft.Status = CampaignStatus.Draft;
        await WriteAsync(draft, new CampaignCreated { At = _services.Now, CampaignId = Id, Definition = definition });
        return Result<CampaignView>.Ok(View());
    }

    public async Task<Result<CampaignView>> UpdateAsync(CampaignDefinition definition)
    {
        if (_state.State.Definition is not { } current)
        {
            return Result<CampaignView>.Reject(RejectionCode.CampaignNotFound, $"No campaign {Id}.");
        }

        if (_state.State.Status != CampaignStatus.Draft)
        {
            return Result<CampaignView>.Reject(RejectionCode.CampaignNotDraft, "Only a draft campaign can change.");
        }

        if (Invalid(definition) is { } invalid)
        {
            return invalid;
        }

        if (definition.RegionCode != current.RegionCode)
        {
            return Result<CampaignView>.Reject(RejectionCode.InvalidRequest, "A campaign's region cannot change.");
        }

        var draft = _state.Draft();
        draft.Definition = definition;
        await WriteAsync(draft, new CampaignUpdated { At = _services.Now, CampaignId = Id, Definition = definition });
        return Result<CampaignView>.Ok(View());
    }

    public async Task<Result<CampaignView>> OpenAsync()
    {
        if (_state.State.Definition is not { } definition)
        {
            return Result<CampaignView>.Reject(RejectionCode.CampaignNotFound, $"No campaign {Id}.");
        }

        if (_state.State.Status != CampaignStatus.Draft)
        {
            return Result<CampaignView>.Reject(RejectionCode.CampaignNotDraft, $"The campaign is {_state.State.Status}.");
        }

        var policy = definition.PolicyOverride ?? await RegionLookup.PolicyAsync(GrainFactory, definition.RegionCode);
        if (policy is null)
        {
            return Result<CampaignView>.Reject(RejectionCode.RegionPolicyNotSet, $"Region {definition.RegionCode} has no policy.");
        }

        if (definition.OccupationCode is { } occupation
            && await RegionLookup.OccupationAsync(GrainFactory, definition.RegionCode, definition.CatalogueYear, occupation) is null)
        {
            return Result<CampaignView>.Reject(RejectionCode.OccupationNotInCatalogue, $"Occupation {occupation} is not in the {definition.CatalogueYear} catalogue.");
        }

        var now = _services.Now;
        var draft = _state.Draft();
        draft.Status = CampaignStatus.Open;
        draft.Policy = policy;
        draft.OpenedAt = now;
        await WriteAsync(draft, new CampaignOpened
        {
            At = now,
            CampaignId = Id,
            IssuanceMode = definition.IssuanceMode,
            ValueMode = definition.ValueMode,
            OfferedQuantity = definition.QuantityCap,
            Policy = policy,
        });
        return Result<CampaignView>.Ok(View());
    }

    public async Task<Result<CampaignView>> CloseAsync(string reason)
    {
        if (_state.State.Definition is null)
        {
            return Result<CampaignView>.Reject(RejectionCode.CampaignNotFound, $"No campaign {Id}.");
        }

        if (_state.State.Status == CampaignStatus.Closed)
        {
            return Result<CampaignView>.Reject(RejectionCode.CampaignNotOpen, "The campaign is closed already.");
        }

        var now = _services.Now;
        var draft = _state.Draft();
        draft.Status = CampaignStatus.Closed;
        draft.ClosedAt = now;
        await WriteAsync(draft, new CampaignClosed { At = now, CampaignId = Id, Reason = reason });
        return Result<CampaignView>.Ok(View());
    }

    public Task<CampaignView?> GetAsync() => Task.FromResult(_state.State.Definition is null ? null : View());

    public Task<IssuerAllocation> GetAllocationAsync(int index) => Task.FromResult(AllocationOf(_state.State, index));

    public async Task<Result<IssuerAllocation>> AllocateAsync(int index, int quantity, long budgetFen)
    {
        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            var state = _state.State;
            if (state.Definition is not { } definition)
            {
                return Result<IssuerAllocation>.Reject(RejectionCode.CampaignNotFound, $"No campaign {Id}.");
            }

            if (state.Status != CampaignStatus.Open)
            {
                return Result<IssuerAllocation>.Reject(RejectionCode.CampaignNotOpen, $"The campaign is {state.Status}.");
            }

            if (index < 0 || index >= definition.IssuerCount)
            {
                return Result<IssuerAllocation>.Reject(RejectionCode.InvalidRequest, $"The campaign has {definition.IssuerCount} issuer(s).");
            }

            // R5: never beyond the caps, whatever the concurrency: this grain is the only writer of the
            // allocations, and its write is conditional on the version it read.
            var current = AllocationOf(state, index);
            if (current.StockRefusal(quantity, budgetFen) is { } refused)
            {
                return Result<IssuerAllocation>.From(refused);
            }

            var remainingQuantity = current.RemainingQuantity;
            var remainingBudget = current.RemainingBudgetFen;

            // Blocks are a share of what is left under whichever cap binds, stock or budget, and shrink as
            // it runs down, so each issuer gets some and little is left idle at one issuer near the end.
            var affordable = definition.MaxAmount > 0 ? Math.Min(remainingQuantity, remainingBudget / definition.MaxAmount) : remainingQuantity;
            var block = (int)Math.Clamp(affordable / (4 * definition.IssuerCount), 1, MaxBlock);
            var grantQuantity = quantity > 0 ? Math.Min(remainingQuantity, Math.Max(quantity, block)) : 0;
            var grantBudget = Math.Min(remainingBudget, Math.Max(budgetFen, (grantQuantity > 0 ? grantQuantity : block) * definition.MaxAmount));
            if (grantQuantity == 0 && grantBudget == 0)
            {
                return Result<IssuerAllocation>.Ok(current);
            }

            var draft = _state.Draft();
            var allocation = draft.Allocations.TryGetValue(index, out var existing) ? existing : draft.Allocations[index] = new AllocationState();
            allocation.Quantity += grantQuantity;
            allocation.BudgetFen += grantBudget;
            draft.AllocatedQuantity += grantQuantity;
            draft.AllocatedBudgetFen += grantBudget;
            try
            {
                await WriteAsync(draft, new StockAllocated { At = _services.Now, CampaignId = Id, IssuerIndex = index, Quantity = grantQuantity, BudgetFen = grantBudget });
                return Result<IssuerAllocation>.Ok(AllocationOf(_state.State, index));
            }
            catch (InconsistentStateException)
            {
                // Another process's activation of this campaign allocated first: decide again on what it wrote.
                await _state.ReloadAsync();
            }
        }

        return Attempts.Contended<IssuerAllocation>();
    }

    private static Result<CampaignView>? Invalid(CampaignDefinition? definition) =>
        definition is null ? Result<CampaignView>.Reject(RejectionCode.InvalidRequest, "A definition is required.")
        : definition.Validate() is { } problem ? Result<CampaignView>.Reject(RejectionCode.InvalidRequest, problem)
        : null;

    private static IssuerAllocation AllocationOf(CampaignState state, int index)
    {
        var allocation = state.Allocations.GetValueOrDefault(index);
        return new IssuerAllocation(
            state.Definition,
            state.Status,
            state.Policy,
            allocation?.Quantity ?? 0,
            allocation?.BudgetFen ?? 0,
            (state.Definition?.QuantityCap ?? 0) - state.AllocatedQuantity,
            (state.Definition?.BudgetCapFen ?? 0) - state.AllocatedBudgetFen);
    }

    private Task WriteAsync(CampaignState draft, DomainEvent domainEvent) =>
        _state.WriteAsync(draft, [EventSerializer.ToStream(Streams.Campaign(Id), Id, domainEvent)]);

    private CampaignView View()
    {
        var state = _state.State;
        return new CampaignView(Id, state.Definition!, state.Status, state.Policy, state.AllocatedQuantity, state.AllocatedBudgetFen, state.OpenedAt, state.ClosedAt);
    }
}
