using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>What the engine keeps of a roster.</summary>
internal sealed class RosterState
{
    public string? CampaignId { get; set; }

    public string InstitutionId { get; set; } = "";

    public RosterStatus Status { get; set; }

    public List<RosterEntry> Entries { get; set; } = [];

    public Dictionary<string, RosterEntryOutcome> Outcomes { get; set; } = [];

    public string? Reason { get; set; }
}

/// <summary>
/// A directed campaign's roster (R4): submitted by an institution, approved by the authority, and then
/// issued entry by entry, each voucher atomically with its worker. Progress is saved as it goes, and a
/// repeated issuance to an entry answers with the voucher already issued, so approval can be resumed
/// after a crash without issuing twice.
/// </summary>
[GrainType("roster")]
internal sealed class RosterGrain : Grain, IRosterGrain
{
    private const int MaxEntries = 10_000;
    private const int SaveEvery = 50;

    private readonly GrainServices _services;
    private readonly TransactionalState<RosterState> _state;

    public RosterGrain([PersistentState("roster")] IPersistentState<RosterState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task<Result<RosterView>> SubmitAsync(RosterSubmission submission)
    {
        var slash = Id.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == Id.Length - 1)
        {
            return Result<RosterView>.Reject(RejectionCode.InvalidRequest, $"'{Id}' is not a roster key ({{campaignId}}/{{rosterNo}}).");
        }

        if (_state.State.CampaignId is not null)
        {
            return Result<RosterView>.Reject(RejectionCode.AlreadyExists, $"Roster {Id} exists.");
        }

        if (Validate(submission) is { } invalid)
        {
            return invalid;
        }

        var campaignId = Id[..slash];
        var campaign = await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetAsync();
        if (campaign is null)
        {
            return Result<RosterView>.Reject(RejectionCode.CampaignNotFound, $"No campaign {campaignId}.");
        }

        if (campaign.Definition.IssuanceMode != IssuanceMode.Directed)
        {
            return Result<RosterView>.Reject(RejectionCode.WrongIssuanceMode, "Rosters are for directed campaigns.");
        }

        if (campaign.Status == CampaignStatus.Closed)
        {
            return Result<RosterView>.Reject(RejectionCode.CampaignNotOpen, "The campaign is closed.");
        }

        var institution = await GrainFactory.GetGrain<IInstitutionGrain>(submission.InstitutionId).GetAsync();
        if (Institutions.InstitutionGrain.DirectedRejection(institution, campaign.Definition.RegionCode) is { } rejected)
        {
            return Result<RosterView>.From(rejected);
        }

        foreach (var entry in submission.Entries)
        {
            if (!institution!.Listing.Occupations.Contains(entry.OccupationCode))
            {
                return Result<RosterView>.Reject(RejectionCode.OccupationNotAllowed, $"The institution may not train occupation {entry.OccupationCode}.");
            }

            if (campaign.Definition.OccupationCode is { } occupation && entry.OccupationCode != occupation)
            {
                return Result<RosterView>.Reject(RejectionCode.OccupationMismatch, $"The campaign is for occupation {occupation}.");
            }
        }

        // R1: only programmes of the campaign's catalogue are subsidised; a voucher bound to another
        // occupation could never be activated, and would hold its worker (R7) until it lapsed.
        foreach (var occupation in submission.Entries.Select(e => e.OccupationCode).Distinct(StringComparer.Ordinal))
        {
            if (await RegionLookup.OccupationAsync(GrainFactory, campaign.Definition.RegionCode, campaign.Definition.CatalogueYear, occupation) is null)
            {
                return Result<RosterView>.Reject(RejectionCode.OccupationNotInCatalogue, $"Occupation {occupation} is not in the {campaign.Definition.CatalogueYear} catalogue of region {campaign.Definition.RegionCode}.");
            }
        }

        var draft = _state.Draft();
        draft.CampaignId = campaignId;
        draft.InstitutionId = submission.InstitutionId;
        draft.Status = RosterStatus.Submitted;
        draft.Entries = [.. submission.Entries];
        var submitted = new RosterSubmitted { At = _services.Now, RosterId = Id, InstitutionId = submission.InstitutionId, Entries = submission.Entries.Count };
        await _state.WriteAsync(draft, [EventSerializer.ToStream(Streams.Campaign(campaignId), Id, submitted)]);
        return Result<RosterView>.Ok(View());
    }

    public async Task<Result<RosterView>> ApproveAsync()
    {
        var state = _state.State;
        if (state.CampaignId is not { } campaignId)
        {
            return Result<RosterView>.Reject(RejectionCode.RosterNotFound, $"No roster {Id}.");
        }

        if (state.Status == RosterStatus.Approved)
        {
            return Result<RosterView>.Ok(View());
        }

        if (state.Status != RosterStatus.Submitted)
        {
            return Result<RosterView>.Reject(RejectionCode.RosterDecided, $"The roster was {state.Status}.");
        }

        var campaign = await GrainFactory.GetGrain<ICampaignGrain>(campaignId).GetAsync();
        if (campaign is null)
        {
            return Result<RosterView>.Reject(RejectionCode.CampaignNotFound, $"No campaign {campaignId}.");
        }

        // R3, R11: a suspended or removed institution cannot verify, nor can one that has moved out of the
        // campaign's region, so vouchers bound to it could not be used, and under R7 each would keep its
        // worker from any other voucher while it lives.
        var institution = await GrainFactory.GetGrain<IInstitutionGrain>(state.InstitutionId).GetAsync();
        if (Institutions.InstitutionGrain.DirectedRejection(institution, campaign.Definition.RegionCode) is { } sanctioned)
        {
            return Result<RosterView>.From(sanctioned);
        }

        var pending = state.Entries.Where(e => !state.Outcomes.ContainsKey(e.CitizenId)).ToList();
        var outcomes = new Dictionary<string, RosterEntryOutcome>(state.Outcomes);
        var unsaved = 0;
        foreach (var entry in pending)
        {
            var issuer = GrainFactory.GetGrain<IDirectedIssuer>(CampaignIssuers.KeyFor(campaignId, entry.CitizenId, campaign.Definition.IssuerCount));
            var issued = await issuer.IssueDirectedAsync(new DirectedIssue(entry.CitizenId, entry.OccupationCode, entry.Level, state.InstitutionId, Id));
            if (issued.Rejection == RejectionCode.ConcurrentOperation)
            {
                // Left without an outcome: approving again retries it.
                continue;
            }

            outcomes[entry.CitizenId] = new RosterEntryOutcome(entry, issued.Value, issued.Rejection, issued.Detail);
            if (++unsaved >= SaveEvery)
            {
                await SaveAsync(outcomes, decided: false);
                unsaved = 0;
            }
        }

        await SaveAsync(outcomes, decided: outcomes.Count == state.Entries.Count);
        return Result<RosterView>.Ok(View());
    }

    public async Task<Result<RosterView>> RejectAsync(string reason)
    {
        if (_state.State.CampaignId is not { } campaignId)
        {
            return Result<RosterView>.Reject(RejectionCode.RosterNotFound, $"No roster {Id}.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result<RosterView>.Reject(RejectionCode.InvalidRequest, "A rejection needs a reason.");
        }

        if (_state.State.Status != RosterStatus.Submitted || _state.State.Outcomes.Count > 0)
        {
            return Result<RosterView>.Reject(RejectionCode.RosterDecided, "The roster was decided already.");
        }

        var draft = _state.Draft();
        draft.Status = RosterStatus.Rejected;
        draft.Reason = reason;
        var decided = new RosterDecided { At = _services.Now, RosterId = Id, Status = RosterStatus.Rejected, Reason = reason };
        await _state.WriteAsync(draft, [EventSerializer.ToStream(Streams.Campaign(campaignId), Id, decided)]);
        return Result<RosterView>.Ok(View());
    }

    public Task<RosterView?> GetAsync() => Task.FromResult(_state.State.CampaignId is null ? null : View());

    private async Task SaveAsync(Dictionary<string, RosterEntryOutcome> outcomes, bool decided)
    {
        var draft = _state.Draft();
        draft.Outcomes = new Dictionary<string, RosterEntryOutcome>(outcomes);
        List<StreamEventWrite> events = [];
        if (decided)
        {
            draft.Status = RosterStatus.Approved;
            events.Add(EventSerializer.ToStream(Streams.Campaign(draft.CampaignId!), Id, new RosterDecided { At = _services.Now, RosterId = Id, Status = RosterStatus.Approved }));
        }

        await _state.WriteAsync(draft, events);
    }

    private Result<RosterView>? Validate(RosterSubmission? submission)
    {
        if (submission?.Entries is not { Count: > 0 and <= MaxEntries } entries || string.IsNullOrWhiteSpace(submission.InstitutionId))
        {
            return Result<RosterView>.Reject(RejectionCode.InvalidRequest, $"A roster names its institution and lists 1 to {MaxEntries} trainees.");
        }

        var today = ChinaTime.DateOf(_services.Now);
        foreach (var entry in entries)
        {
            if (entry is null || !CitizenId.TryParse(entry.CitizenId, today, out var canonical) || canonical != entry.CitizenId)
            {
                return Result<RosterView>.Reject(RejectionCode.InvalidCitizenId, $"'{entry?.CitizenId}' is not a valid citizen id.");
            }

            if (!OccupationCode.IsValid(entry.OccupationCode))
            {
                return Result<RosterView>.Reject(RejectionCode.InvalidOccupationCode, $"'{entry.OccupationCode}' is not an occupation code.");
            }
        }

        return entries.GroupBy(e => e.CitizenId).Any(g => g.Count() > 1)
            ? Result<RosterView>.Reject(RejectionCode.InvalidRequest, "A trainee is listed twice.")
            : null;
    }

    private RosterView View()
    {
        var state = _state.State;
        return new RosterView(Id, state.CampaignId!, state.InstitutionId, state.Status, [.. state.Entries], [.. state.Outcomes.Values], state.Reason);
    }
}
