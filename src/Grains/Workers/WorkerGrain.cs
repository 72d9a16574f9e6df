using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Grains.Workers;

/// <summary>What the engine keeps of a worker. The archive is not here: it is the worker's event stream.</summary>
internal sealed class WorkerState : ICopyableState<WorkerState>
{
    public WorkerAttributes? Attributes { get; set; }

    public Dictionary<string, HeldState> Held { get; set; } = [];

    public List<YearlySlot> Slots { get; set; } = [];

    /// <summary>The general campaigns the worker has claimed a voucher of, each once for good (R8).</summary>
    public List<string> ClaimedCampaigns { get; set; } = [];

    /// <summary>
    /// A draft without a serialization round trip, as every activation changes this state. Attributes and
    /// slots are immutable records, so they are shared; a held voucher is changed in place, so each is copied.
    /// </summary>
    public WorkerState Copy() => new()
    {
        Attributes = Attributes,
        Held = Held.ToDictionary(h => h.Key, h => h.Value.Copy()),
        Slots = [.. Slots],
        ClaimedCampaigns = [.. ClaimedCampaigns],
    };
}

/// <summary>A voucher the worker holds and that has not reached its end.</summary>
internal sealed class HeldState
{
    public string CampaignId { get; set; } = "";

    public VoucherStatus Status { get; set; }

    public DateTimeOffset Deadline { get; set; }

    public string? RosterId { get; set; }

    public HeldState Copy() => (HeldState)MemberwiseClone();

    /// <summary>The voucher a grant gives the worker.</summary>
    public static HeldState Of(VoucherGrant grant) =>
        new() { CampaignId = grant.CampaignId, Status = grant.Status, Deadline = grant.Deadline, RosterId = grant.RosterId };
}

/// <summary>A worker: attributes, held vouchers, yearly slots (R6, R7, R10) and the lifelong archive.</summary>
[GrainType(GrainTypeName)]
internal sealed partial class WorkerGrain : Grain, IWorkerGrain, IWorkerParticipant
{
    private const string GrainTypeName = "worker";
    private const string StateName = "worker";
    private const int ArchivePage = 1000;

    private static readonly GrantVote s_granted = new(Result.Ok, null);

    private readonly GrainServices _services;
    private readonly TransactionalState<WorkerState> _state;

    public WorkerGrain([PersistentState(StateName)] IPersistentState<WorkerState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string Id => this.GetPrimaryKeyString();

    /// <summary>The storage key of a worker's state, for a unit that writes it without the grain.</summary>
    internal static GrainStateKey StateKeyOf(string citizenId) => new(GrainTypeName, StateName, citizenId);

    public async Task<Result> RegisterAsync(WorkerAttributes attributes)
    {
        if (!HasValidId())
        {
            return InvalidId();
        }

        if (attributes is null || attributes.Validate() is not null)
        {
            return Result.Reject(RejectionCode.InvalidRequest, attributes?.Validate() ?? "Attributes are required.");
        }

        if (_state.IsBusy)
        {
            return Attempts.Busy();
        }

        var draft = _state.Draft();
        draft.Attributes = attributes;
        var registered = new WorkerRegistered { At = _services.Now, CitizenId = Id, Attributes = attributes };
        await _state.WriteAsync(draft, [EventSerializer.ToStream(Streams.Worker(Id), Id, registered)]);
        return Result.Ok;
    }

    public async Task<Result<WorkerView>> ReadAsync() =>
        HasValidId() ? View(await _state.ReadStoredAsync() ?? new WorkerState()) : Result<WorkerView>.From(InvalidId());

    public Task<Result<WorkerView>> GetAsync() =>
        Task.FromResult(HasValidId() ? View(_state.State) : Result<WorkerView>.From(InvalidId()));

    private Result<WorkerView> View(WorkerState state)
    {
        if (state.Attributes is null && state.Held.Count == 0)
        {
            return Result<WorkerView>.Reject(RejectionCode.WorkerNotRegistered, $"Worker {Id} is not registered.");
        }

        var now = _services.Now;
        return Result<WorkerView>.Ok(new WorkerView(
            Id,
            state.Attributes ?? new WorkerAttributes(),
            [.. state.Held.Select(h => new HeldVoucher(h.Key, h.Value.CampaignId, h.Value.Deadline <= now ? VoucherStatus.Expired : h.Value.Status, h.Value.Deadline))],
            [.. state.Slots]));
    }

    public async Task<Result<IReadOnlyList<ArchiveEntry>>> GetArchiveAsync()
    {
        if (!HasValidId())
        {
            return Result<IReadOnlyList<ArchiveEntry>>.From(InvalidId());
        }

        var entries = new List<ArchiveEntry>();
        var stream = Streams.Worker(Id);
        var after = 0L;
        while (true)
        {
            var page = await _services.Storage.ReadStreamAsync(stream, after, ArchivePage, CancellationToken.None);
            foreach (var stored in page)
            {
                if (ToArchiveEntry(EventSerializer.Read(stored)) is { } entry)
                {
                    entries.Add(entry);
                }
            }

            if (page.Count < ArchivePage)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        // R9: expiry is never written; a held voucher past its deadline shows as expired.
        var now = _services.Now;
        foreach (var (code, held) in _state.State.Held)
        {
            if (held.Deadline <= now)
            {
                entries.Add(new ArchiveEntry(held.Deadline, "VoucherExpired", code, held.CampaignId, null, null, null, null));
            }
        }

        return Result<IReadOnlyList<ArchiveEntry>>.Ok([.. entries.OrderBy(e => e.At)]);
    }

    public async Task<Prepared<GrantVote>> PrepareGrantAsync(TransactionId transaction, VoucherGrant grant)
    {
        if (_state.IsBusy)
        {
            return new Prepared<GrantVote>(null, new GrantVote(Attempts.Busy(), null));
        }

        if (await ConfirmedGrantRefusalAsync(grant) is { } refused)
        {
            return new Prepared<GrantVote>(null, refused);
        }

        var draft = _state.Draft();
        Hold(draft, grant);
        return new Prepared<GrantVote>(_state.Prepare(transaction, draft), s_granted);
    }

    public async Task<GrantVote> CheckGrantAsync(VoucherGrant grant) => await ConfirmedGrantRefusalAsync(grant) ?? s_granted;

    /// <summary>
    /// <see cref="GrantRefusal"/>, confirmed on the store when it refuses for the worker's registration,
    /// eligibility or live voucher: this activation may have read the worker before a registration, or a
    /// use, rollback or revocation of the voucher it holds, made through another engine (or by a bulk job),
    /// and a claim must not be refused for it (R6, R7). Only such refusals pay the read.
    /// </summary>
    private async Task<GrantVote?> ConfirmedGrantRefusalAsync(VoucherGrant grant)
    {
        var refusal = GrantRefusal(grant);
        if (!MayBeStale(refusal?.Rejection) || _state.IsBusy)
        {
            return refusal;
        }

        await _state.ReloadAsync();
        return GrantRefusal(grant);
    }

    /// <summary>Whether a refusal of a grant may come of a copy of the worker older than the store's (R6, R7).</summary>
    private static bool MayBeStale(Result? refusal) =>
        refusal is { Rejection: RejectionCode.WorkerNotRegistered or RejectionCode.NotEligible or RejectionCode.LiveVoucherHeld };

    /// <summary>
    /// Why the committed state refuses <paramref name="grant"/>, or the voucher the same roster issued
    /// before; null when the worker may receive it.
    /// </summary>
    private GrantVote? GrantRefusal(VoucherGrant grant)
    {
        var state = _state.State;
        if (grant.RosterId is not null && HeldFromRoster(state, grant.RosterId) is { } existing)
        {
            return new GrantVote(Result.Ok, existing);
        }

        if (state.Attributes is null)
        {
            return Refused(Result.Reject(RejectionCode.WorkerNotRegistered, $"Worker {Id} is not registered; eligibility cannot be decided."));
        }

        return HolderRefusal(Id, state.Attributes, state, grant) is { } refused ? Refused(refused) : null;

        static GrantVote Refused(Result rejection) => new(rejection, null);
    }

    /// <summary>
    /// Why a worker with <paramref name="attributes"/>, holding what <paramref name="state"/> holds, may not
    /// receive <paramref name="grant"/> (R6, R7); null when it may. Single claims and bulk rows decide by it.
    /// </summary>
    internal static Result? HolderRefusal(string citizenId, WorkerAttributes attributes, WorkerState state, VoucherGrant grant)
    {
        // R6
        if (Eligibility.Check(grant.Eligibility, attributes, citizenId, grant.CampaignRegion, ChinaTime.DateOf(grant.Now)) is { } ineligible)
        {
            return Result.Reject(RejectionCode.NotEligible, ineligible);
        }

        // R7
        if (grant.OneLiveVoucher && LiveVoucher(state, grant.Now) is { } live)
        {
            return Result.Reject(RejectionCode.LiveVoucherHeld, $"The worker holds voucher {live}, valid and unused.");
        }

        // R8: a general campaign's voucher is claimed once by one person (001 annex 2 二(一)2), whether or
        // not the policy lets a worker hold several vouchers (R7), and whatever became of the first.
        if (grant.Status == VoucherStatus.Claimed && ClaimedFrom(state, grant.CampaignId) is { } claimed)
        {
            return Result.Reject(RejectionCode.AlreadyClaimed, claimed.Length > 0
                ? $"The worker has claimed voucher {claimed} of campaign {grant.CampaignId}; a campaign's voucher is claimed once."
                : $"The worker has claimed a voucher of campaign {grant.CampaignId}; a campaign's voucher is claimed once.");
        }

        return null;
    }

    /// <summary>Gives the worker the voucher <paramref name="grant"/> issues, in <paramref name="draft"/>.</summary>
    internal static void Hold(WorkerState draft, VoucherGrant grant)
    {
        draft.Held[grant.Code] = HeldState.Of(grant);
        if (grant.Status == VoucherStatus.Claimed && !draft.ClaimedCampaigns.Contains(grant.CampaignId))
        {
            draft.ClaimedCampaigns.Add(grant.CampaignId);
        }
    }

    /// <summary>
    /// The code of the voucher of <paramref name="campaignId"/> the worker holds, "" when the worker claimed
    /// one that has reached its end, or null when the worker never claimed one. Vouchers held from before
    /// claimed campaigns were kept are found among those held.
    /// </summary>
    private static string? ClaimedFrom(WorkerState state, string campaignId)
    {
        foreach (var (code, held) in state.Held)
        {
            if (held.CampaignId == campaignId)
            {
                return code;
            }
        }

        return state.ClaimedCampaigns.Contains(campaignId) ? "" : null;
    }

    /// <summary>The code of the voucher <paramref name="rosterId"/> issued to the worker, or null.</summary>
    private static string? HeldFromRoster(WorkerState state, string rosterId)
    {
        foreach (var (code, held) in state.Held)
        {
            if (held.RosterId == rosterId)
            {
                return code;
            }
        }

        return null;
    }

    /// <summary>The code of a voucher the worker holds that is issued or claimed and not yet expired, or null.</summary>
    private static string? LiveVoucher(WorkerState state, DateTimeOffset now)
    {
        foreach (var (code, held) in state.Held)
        {
            if (held.Status is VoucherStatus.Issued or VoucherStatus.Claimed && held.Deadline > now)
            {
                return code;
            }
        }

        return null;
    }

    public async Task<Prepared<Result>> PrepareActivationAsync(TransactionId transaction, SlotRequest request)
    {
        if (_state.IsBusy)
        {
            return new Prepared<Result>(null, Attempts.Busy());
        }

        if (await ConfirmedSlotRejectionAsync(request) is { } rejection)
        {
            return new Prepared<Result>(null, rejection);
        }

        var draft = _state.Draft();
        draft.Slots.Add(new YearlySlot(request.Year, request.OccupationCode, request.Code));
        draft.Held[request.Code].Status = VoucherStatus.Activated;
        draft.Held[request.Code].Deadline = request.Deadline;
        return new Prepared<Result>(_state.Prepare(transaction, draft), Result.Ok);
    }

    public async Task<Result> CheckActivationAsync(SlotRequest request) => await ConfirmedSlotRejectionAsync(request) ?? Result.Ok;

    /// <summary>
    /// <see cref="SlotRejection"/>, confirmed on the store when it refuses: this activation may have read the
    /// worker before the voucher was claimed, or a rollback released a slot, through another engine (or a
    /// bulk job wrote the worker), and a verification must not be refused for it. Only refusals pay the read.
    /// </summary>
    private async Task<Result?> ConfirmedSlotRejectionAsync(SlotRequest request)
    {
        var rejection = SlotRejection(request);
        if (rejection is null || _state.IsBusy)
        {
            return rejection;
        }

        await _state.ReloadAsync();
        return SlotRejection(request);
    }

    /// <summary>Why the committed state refuses the slot an activation takes (R10), or null.</summary>
    private Result? SlotRejection(SlotRequest request)
    {
        var state = _state.State;
        if (!state.Held.ContainsKey(request.Code))
        {
            return Result.Reject(RejectionCode.NotClaimed, $"Worker {Id} does not hold voucher {request.Code}.");
        }

        // R10
        var taken = 0;
        var inOccupation = 0;
        foreach (var slot in state.Slots)
        {
            if (slot.Year == request.Year)
            {
                taken++;
                if (slot.OccupationCode == request.OccupationCode)
                {
                    inOccupation++;
                }
            }
        }

        if (request.Limits.PerOccupation is { } perOccupation && inOccupation >= perOccupation)
        {
            return Result.Reject(RejectionCode.YearlyLimitReached, $"The worker has trained in occupation {request.OccupationCode} {perOccupation} time(s) in {request.Year}.");
        }

        if (request.Limits.PerYear is { } perYear && taken >= perYear)
        {
            return Result.Reject(RejectionCode.YearlyLimitReached, $"The worker has activated {perYear} voucher(s) in {request.Year}.");
        }

        return null;
    }

    public async Task<Prepared<Result>> PrepareChangeAsync(TransactionId transaction, HeldChange change)
    {
        if (_state.IsBusy)
        {
            return new Prepared<Result>(null, Attempts.Busy());
        }

        // The voucher asking is this worker's on the store: an activation that does not hold it read the
        // worker before the voucher was issued or claimed through another engine (or by a bulk job). It
        // reads the worker again rather than leave out its part, which would keep a released slot (R10)
        // or a revoked voucher live (R7).
        if (!_state.State.Held.ContainsKey(change.Code))
        {
            await _state.ReloadAsync();
        }

        if (!_state.State.Held.ContainsKey(change.Code))
        {
            // Nothing held to change (e.g. a voucher retired already): the worker has no part to write.
            return new Prepared<Result>(null, Result.Ok);
        }

        var draft = _state.Draft();
        if (change.ReleaseSlot)
        {
            draft.Slots.RemoveAll(s => s.VoucherCode == change.Code);
        }

        if (change.Status is VoucherStatus.Issued or VoucherStatus.Claimed or VoucherStatus.Activated && change.Deadline is { } deadline)
        {
            draft.Held[change.Code].Status = change.Status;
            draft.Held[change.Code].Deadline = deadline;
        }
        else
        {
            draft.Held.Remove(change.Code);
        }

        return new Prepared<Result>(_state.Prepare(transaction, draft), Result.Ok);
    }

    public Task CompleteAsync(TransactionOutcome outcome)
    {
        _state.Complete(outcome);
        return Task.CompletedTask;
    }

    private static ArchiveEntry? ToArchiveEntry(DomainEvent domainEvent) => domainEvent switch
    {
        VoucherIssued e => new(e.At, nameof(VoucherIssued), e.Code, e.CampaignId, e.InstitutionId, null, e.OccupationCode, Amount(e.AmountFen)),
        VoucherClaimed e => new(e.At, nameof(VoucherClaimed), e.Code, e.CampaignId, null, null, e.OccupationCode, Amount(e.AmountFen)),
        VoucherActivated e => new(e.At, nameof(VoucherActivated), e.Code, e.CampaignId, e.InstitutionId, e.ClassKey, e.OccupationCode, null),
        VoucherActivationRolledBack e => new(e.At, nameof(VoucherActivationRolledBack), e.Code, e.CampaignId, e.InstitutionId, e.ClassKey, null, e.Reason),
        VoucherCompleted e => new(e.At, nameof(VoucherCompleted), e.Code, e.CampaignId, null, e.ClassKey, null, $"certificate {e.CertificateNumber}, attendance {e.AttendancePercent}%"),
        SettlementClaimed e => new(e.At, nameof(SettlementClaimed), e.Code, e.CampaignId, e.InstitutionId, null, null, $"{e.Part}: {Amount(e.AmountFen)}"),
        SettlementRejected e => new(e.At, nameof(SettlementRejected), e.Code, e.CampaignId, e.InstitutionId, null, null, $"{e.Part}: {e.Reason}"),
        SettlementApproved e => new(e.At, nameof(SettlementApproved), e.Code, e.CampaignId, e.InstitutionId, null, null, $"{e.Part}: {Amount(e.AmountFen)}"),
        VoucherRevoked e => new(e.At, nameof(VoucherRevoked), e.Code, e.CampaignId, null, null, null, e.Reason),
        TraineeCheckedIn e => new(e.At, nameof(TraineeCheckedIn), e.VoucherCode, null, null, e.ClassKey, null, $"session {e.Session} by {e.Method}{(e.Flags.Count > 0 ? $", flagged {string.Join(' ', e.Flags)}" : "")}"),
        ResultRecorded e => new(e.At, nameof(ResultRecorded), e.VoucherCode, null, null, e.ClassKey, null, $"{e.Part} {(e.Passed ? "passed" : "failed")}{(e.CertificateNumber is null ? "" : $", certificate {e.CertificateNumber}")}"),
        EvaluationSubmitted e => new(e.At, nameof(EvaluationSubmitted), null, null, null, e.ClassKey, null, $"{(e.ByTrainee ? "rated the course" : "rated by the institution")} {e.Score}/5"),
        WorkerRegistered e => new(e.At, nameof(WorkerRegistered), null, null, null, null, null, null),
        _ => null,
    };

    private static string Amount(long fen) => $"{fen / 100}.{fen % 100:00} yuan";

    private bool HasValidId() => CitizenId.TryParse(Id, ChinaTime.DateOf(_services.Now), out var canonical) && canonical == Id;

    private Result InvalidId() => Result.Reject(RejectionCode.InvalidCitizenId, $"'{Id}' is not a valid citizen id.");
}
