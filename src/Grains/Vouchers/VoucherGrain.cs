using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Vouchers;

/// <summary>
/// One voucher. Its status is computed from its stored state and the clock on every call (R9), and
/// every change is written atomically with its events and with the other grains it touches.
/// </summary>
[GrainType(GrainTypeName)]
internal sealed class VoucherGrain : Grain, IVoucherGrain, IVoucherParticipant
{
    private const string GrainTypeName = "voucher";
    private const string StateName = "voucher";

    private readonly GrainServices _services;
    private readonly TransactionalState<VoucherState> _state;

    public VoucherGrain([PersistentState(StateName)] IPersistentState<VoucherState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string Code => this.GetPrimaryKeyString();

    public async Task<Result<VoucherView>> ReadAsync()
    {
        if (!VoucherCode.IsValid(Code))
        {
            return Result<VoucherView>.From(Missing()!);
        }

        return await _state.ReadStoredAsync() is { } stored
            ? Result<VoucherView>.Ok(ToView(stored, _services.Now))
            : Result<VoucherView>.From(NotFound());
    }

    public Task<Result<VoucherView>> GetAsync() =>
        Task.FromResult(Missing() is { } missing ? Result<VoucherView>.From(missing) : Result<VoucherView>.Ok(ToView(_state.State, _services.Now)));

    public async Task<Result<VoucherView>> ClaimAsync(string citizenId)
    {
        if (Missing() is { } missing)
        {
            return Result<VoucherView>.From(missing);
        }

        var now = _services.Now;
        if (!CitizenId.TryParse(citizenId, ChinaTime.DateOf(now), out var claimant))
        {
            return Result<VoucherView>.Reject(RejectionCode.InvalidCitizenId, "The claimant's citizen id is not valid.");
        }

        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            var state = _state.State;
            var status = state.EffectiveStatus(now);
            if (status != VoucherStatus.Issued)
            {
                return Result<VoucherView>.From(StatusRejection(status, "claimed"));
            }

            // R8: a directed voucher is claimed by its named holder, once.
            if (state.CitizenId != claimant)
            {
                return Result<VoucherView>.Reject(RejectionCode.IdentityMismatch, "The voucher was issued to another worker.");
            }

            if (_state.IsBusy)
            {
                return Attempts.Busy<VoucherView>();
            }

            var deadline = Deadlines.AtClaim(state.Policy.Validity, state.Deadline!.Value, now);
            await using var transaction = new TransactionCoordinator(_services.Storage);
            var worker = GrainFactory.GetGrain<IWorkerParticipant>(state.CitizenId);
            var vote = await transaction.PrepareAsync(worker.PrepareChangeAsync(transaction.Id, new HeldChange(Code, VoucherStatus.Claimed, deadline)), worker.CompleteAsync);
            if (!vote.Value.IsSuccess)
            {
                return Result<VoucherView>.From(vote.Value);
            }

            var draft = _state.Draft();
            draft.Status = VoucherStatus.Claimed;
            draft.ClaimedAt = now;
            draft.Deadline = deadline;
            transaction.EnlistSelf(_state, draft);
            transaction.Publish(new VoucherClaimed
            {
                At = now,
                Code = Code,
                CampaignId = state.CampaignId,
                CitizenId = state.CitizenId,
                From = VoucherStatus.Issued,
                To = VoucherStatus.Claimed,
                DeadlineBefore = state.Deadline,
                DeadlineAfter = deadline,
                ValueMode = state.ValueMode,
                IssuanceMode = state.IssuanceMode,
                AmountFen = state.AmountFen,
                OccupationCode = state.BoundOccupation,
            });
            if (await transaction.CommitAsync())
            {
                return Result<VoucherView>.Ok(ToView(_state.State, now));
            }

            await _state.ReloadAsync();
        }

        return Attempts.Contended<VoucherView>();
    }

    public async Task<Result> RevokeAsync(string reason)
    {
        if (Missing() is { } missing)
        {
            return missing;
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result.Reject(RejectionCode.InvalidRequest, "A revocation needs a reason.");
        }

        var now = _services.Now;
        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            var state = _state.State;
            var status = state.EffectiveStatus(now);
            if (status is VoucherStatus.Settled or VoucherStatus.Revoked or VoucherStatus.Expired)
            {
                return StatusRejection(status, "revoked");
            }

            if (_state.IsBusy)
            {
                return Attempts.Busy();
            }

            await using var transaction = new TransactionCoordinator(_services.Storage);
            var worker = GrainFactory.GetGrain<IWorkerParticipant>(state.CitizenId);
            var vote = await transaction.PrepareAsync(worker.PrepareChangeAsync(transaction.Id, new HeldChange(Code, VoucherStatus.Revoked, null)), worker.CompleteAsync);
            if (!vote.Value.IsSuccess)
            {
                return vote.Value;
            }

            var draft = _state.Draft();
            draft.Status = VoucherStatus.Revoked;
            draft.RevokedAt = now;
            draft.RevocationReason = reason;
            draft.Deadline = null;

            // Enlisting serializes the draft: the claims are rejected in it first, or the store keeps them pending.
            RejectPendingClaims(transaction, state, draft, $"voucher revoked: {reason}", now);
            transaction.EnlistSelf(_state, draft);
            transaction.Publish(new VoucherRevoked
            {
                At = now,
                Code = Code,
                CampaignId = state.CampaignId,
                CitizenId = state.CitizenId,
                From = state.Status,
                To = VoucherStatus.Revoked,
                DeadlineBefore = state.Deadline,
                Reason = reason,
            });
            if (await transaction.CommitAsync())
            {
                return Result.Ok;
            }

            await _state.ReloadAsync();
        }

        return Attempts.Contended();
    }

    /// <summary>
    /// R16, R19: a revoked voucher is never paid, so a settlement claim still awaiting a decision is
    /// rejected with the revocation, in its unit; it would otherwise stay pending for good, in the
    /// voucher and in the statistics, with no decision possible.
    /// </summary>
    private void RejectPendingClaims(TransactionCoordinator transaction, VoucherState state, VoucherState draft, string reason, DateTimeOffset now)
    {
        foreach (var claim in draft.Parts)
        {
            if (claim.Status == SettlementStatus.Claimed)
            {
                transaction.Publish(Reject(state, claim, reason, now));
            }
        }
    }

    /// <summary>Rejects <paramref name="claim"/> (a part of a draft of <paramref name="state"/>) with <paramref name="reason"/>; the event that says so.</summary>
    private SettlementRejected Reject(VoucherState state, PartState claim, string reason, DateTimeOffset now)
    {
        claim.Status = SettlementStatus.Rejected;
        claim.Reason = reason;
        claim.DecidedAt = now;
        return new SettlementRejected
        {
            At = now,
            Code = Code,
            CampaignId = state.CampaignId,
            CitizenId = state.CitizenId,
            From = state.Status,
            To = state.Status,
            Part = claim.Part,
            InstitutionId = claim.InstitutionId,
            AmountFen = claim.AmountFen,
            Reason = reason,
        };
    }

    public async Task<Result<SettlementPartView>> PendingClaimAsync(TrainingPart part) =>
        await ConfirmedClaimRejectionAsync(part) is { } rejected ? rejected : Result<SettlementPartView>.Ok(_state.State.Parts.Single(p => p.Part == part).ToView());

    public async Task<Result<SettlementPartView>> RejectSettlementAsync(TrainingPart part, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result<SettlementPartView>.Reject(RejectionCode.InvalidRequest, "A rejection needs a reason.");
        }

        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            if (await CheckAsync(part) is { } rejected)
            {
                return rejected;
            }

            var now = _services.Now;
            var state = _state.State;
            var draft = _state.Draft();
            var claim = draft.Parts.Single(p => p.Part == part);
            var rejection = Reject(state, claim, reason, now);
            try
            {
                await _state.WriteAsync(draft, EventPublishing.StreamsOf(rejection));
                return Result<SettlementPartView>.Ok(claim.ToView());
            }
            catch (InconsistentStateException)
            {
                // Another activation of this voucher (in another engine) decided or changed it since this one read it.
                await _state.ReloadAsync();
            }
        }

        return Attempts.Contended<SettlementPartView>();
    }

    /// <summary>
    /// The storage key of a voucher's state. A bulk issuance writes a new voucher's state with expected
    /// version 0 in its unit without activating the grain: the version check refuses it if the code exists.
    /// </summary>
    internal static GrainStateKey StateKeyOf(string code) => new(GrainTypeName, StateName, code);

    /// <summary>The state of a voucher as its issuance creates it.</summary>
    internal static VoucherState NewState(VoucherIssue issue)
    {
        ArgumentNullException.ThrowIfNull(issue);
        return new VoucherState
        {
            CampaignId = issue.CampaignId,
            RegionCode = issue.RegionCode,
            CitizenId = issue.CitizenId,
            ValueMode = issue.ValueMode,
            IssuanceMode = issue.IssuanceMode,
            Tier = issue.Tier,
            AmountFen = issue.AmountFen,
            BoundOccupation = issue.BoundOccupation,
            OccupationCode = issue.BoundOccupation,
            Level = issue.Level,
            BoundInstitution = issue.BoundInstitution,
            InstitutionId = issue.BoundInstitution,
            RosterId = issue.RosterId,
            Status = issue.Status,
            Deadline = issue.Deadline,
            IssuedAt = issue.Now,
            ClaimedAt = issue.Status == VoucherStatus.Claimed ? issue.Now : null,
            Policy = issue.Policy,
            CatalogueYear = issue.CatalogueYear,
            SubsidyRatioPercent = issue.SubsidyRatioPercent,
            ClaimClosesAt = issue.ClaimClosesAt,
        };
    }

    public Task<Prepared<Result>> PrepareIssueAsync(TransactionId transaction, VoucherIssue issue)
    {
        if (_state.IsBusy || _state.RecordExists)
        {
            return Task.FromResult(new Prepared<Result>(null, Result.Reject(RejectionCode.AlreadyExists, $"Voucher {Code} exists.")));
        }

        var draft = NewState(issue);
        return Task.FromResult(new Prepared<Result>(_state.Prepare(transaction, draft), Result.Ok));
    }

    public async Task<Prepared<Result<ActivationFacts>>> PrepareActivationAsync(TransactionId transaction, ActivationRequest request)
    {
        var checkedFacts = await ConfirmedActivationFactsAsync(request);
        if (!checkedFacts.IsSuccess)
        {
            return Refuse<ActivationFacts>(checkedFacts.ToResult());
        }

        if (_state.IsBusy)
        {
            return Refuse<ActivationFacts>(Attempts.Busy());
        }

        var facts = checkedFacts.Value!;
        var draft = _state.Draft();
        draft.Status = VoucherStatus.Activated;
        draft.ActivatedAt = request.Now;
        draft.InstitutionId = request.InstitutionId;
        draft.ClassKey = request.ClassKey;
        draft.ClassStartsAt = request.ClassStartsAt;
        draft.ClassLevel = request.Level;
        draft.EnrolledStandardFen = facts.StandardFen;
        draft.EnrolledUplifts = facts.Uplifts.Count > 0 ? [.. facts.Uplifts] : null;
        draft.OccupationCode = request.OccupationCode;
        draft.SlotYear = facts.Year;
        draft.Deadline = facts.Deadline;
        return new Prepared<Result<ActivationFacts>>(_state.Prepare(transaction, draft), checkedFacts);
    }

    public async Task<ActivationCheck> CheckActivationAsync(ActivationRequest request)
    {
        var facts = await ConfirmedActivationFactsAsync(request);
        if (Missing() is not null)
        {
            return new ActivationCheck(null, facts);
        }

        // The status is the holder's to know: a stranger's scan learns only that the voucher is not theirs.
        var state = _state.State;
        return new ActivationCheck(state.CitizenId == request.PresenterCitizenId ? state.EffectiveStatus(request.Now) : null, facts);
    }

    /// <summary>
    /// <see cref="ActivationFactsAsync"/>, confirmed on the store when it refuses for the voucher's status:
    /// this activation may have read the voucher before it was issued, claimed or its verification rolled
    /// back through another engine, and a verification must not be refused for it. Only such refusals pay
    /// the read, and not a repeat of the verification this activation holds, which the enrolment desk's
    /// fast path answers from memory.
    /// </summary>
    private async Task<Result<ActivationFacts>> ConfirmedActivationFactsAsync(ActivationRequest request)
    {
        var facts = await ActivationFactsAsync(request);
        var state = _state.State;
        var repeat = state.ClassKey == request.ClassKey && state.CitizenId == request.PresenterCitizenId && state.EffectiveStatus(request.Now) == VoucherStatus.Activated;
        if (facts.Rejection is not (RejectionCode.VoucherNotFound or RejectionCode.NotClaimed or RejectionCode.AlreadyUsed) || _state.IsBusy || repeat)
        {
            return facts;
        }

        await _state.ReloadAsync();
        return await ActivationFactsAsync(request);
    }

    /// <summary>The voucher side of R8, R9 and R11 on the committed state: what an activation would record, or why it is refused.</summary>
    private async Task<Result<ActivationFacts>> ActivationFactsAsync(ActivationRequest request)
    {
        if (Missing() is { } missing)
        {
            return Result<ActivationFacts>.From(missing);
        }

        var state = _state.State;
        var status = state.EffectiveStatus(request.Now);
        if (status != VoucherStatus.Claimed)
        {
            return Result<ActivationFacts>.From(StatusRejection(status, "activated"));
        }

        // R8, R11: the person presenting the voucher is its holder.
        if (state.CitizenId != request.PresenterCitizenId)
        {
            return Result<ActivationFacts>.Reject(RejectionCode.IdentityMismatch, "The person presenting the voucher is not its holder.");
        }

        // R11: a directed voucher's occupation (or a campaign's) must match.
        if (state.BoundOccupation is { } bound && bound != request.OccupationCode)
        {
            return Result<ActivationFacts>.Reject(RejectionCode.OccupationMismatch, $"The voucher is for occupation {bound}, the class trains {request.OccupationCode}.");
        }

        if (state.BoundInstitution is { } institution && institution != request.InstitutionId)
        {
            return Result<ActivationFacts>.Reject(RejectionCode.InstitutionMismatch, $"The voucher was issued on the roster of institution {institution}.");
        }

        if (state.Level is { } level && level != request.Level)
        {
            return Result<ActivationFacts>.Reject(RejectionCode.LevelMismatch, $"The voucher is for level {level}, the class is for {request.Level?.ToString() ?? "no level"}.");
        }

        if (!RegionCode.Contains(state.RegionCode, request.InstitutionRegion))
        {
            return Result<ActivationFacts>.Reject(RejectionCode.OutOfRegion, $"The institution's region {request.InstitutionRegion} is outside the issuing region {state.RegionCode}.");
        }

        // R12: trainees are registered a policy-set number of days before the class starts.
        if (request.ClassStartsAt - request.Now < TimeSpan.FromDays(state.Policy.ClassRegistrationLeadDays))
        {
            return Result<ActivationFacts>.Reject(RejectionCode.RegistrationTooLate, $"Trainees are registered at least {state.Policy.ClassRegistrationLeadDays} day(s) before the class starts.");
        }

        // R14: the class was registered under its institution's region policy; the voucher pays only for a
        // programme within the online share of the policy it was issued under (a campaign's own, say).
        if (request.ClassOnlineMinutes * 100 > request.ClassTotalMinutes * state.Policy.OnlineShareCapPercent)
        {
            return Result<ActivationFacts>.Reject(RejectionCode.OnlineShareExceeded, $"The class is {request.ClassOnlineMinutes * 100 / Math.Max(1, request.ClassTotalMinutes)}% online, above the voucher's {state.Policy.OnlineShareCapPercent}% cap.");
        }

        // R1, R11: only programmes of the issuing region's catalogue are subsidised.
        if (await RegionLookup.OccupationAsync(GrainFactory, state.RegionCode, state.CatalogueYear, request.OccupationCode) is not { } occupation)
        {
            return Result<ActivationFacts>.Reject(RejectionCode.OccupationNotInCatalogue, $"Occupation {request.OccupationCode} is not in the {state.CatalogueYear} catalogue of region {state.RegionCode}.");
        }

        var deadline = Deadlines.AtActivation(state.Policy.Validity, state.Deadline!.Value, request.Now);

        // R9, R10: a voucher void before its class starts cannot be used for it; activating it would only
        // take the worker's yearly slot, with no rollback once it has expired.
        if (request.ClassStartsAt >= deadline)
        {
            return Result<ActivationFacts>.Reject(RejectionCode.ValidityEndsBeforeClass, $"The voucher is valid until {deadline:u}; the class starts {request.ClassStartsAt:u}.");
        }

        return Result<ActivationFacts>.Ok(new ActivationFacts(
            state.CampaignId, state.CitizenId, ChinaTime.YearOf(request.Now), state.Policy.YearlyLimits, state.Deadline.Value, deadline, occupation.StandardFor(request.Level), occupation.Uplifts));
    }

    public async Task<Prepared<Result<RollbackFacts>>> PrepareRollbackAsync(TransactionId transaction, RollbackRequest request)
    {
        // This activation may have read the voucher before its verification through another engine.
        var rejection = RollbackRejection(request);
        if (rejection is { Rejection: RejectionCode.VoucherNotFound or RejectionCode.NotActivated } && !_state.IsBusy)
        {
            await _state.ReloadAsync();
            rejection = RollbackRejection(request);
        }

        if (rejection is not null)
        {
            return Refuse<RollbackFacts>(rejection);
        }

        var state = _state.State;
        if (state.ClassStartsAt <= request.Now)
        {
            return Refuse<RollbackFacts>(Result.Reject(RejectionCode.ClassStarted, "The class has started; its enrolment can no longer be rolled back."));
        }

        if (_state.IsBusy)
        {
            return Refuse<RollbackFacts>(Attempts.Busy());
        }

        var deadline = Deadlines.AtRollback(state.Policy.Validity, state.Deadline!.Value, state.ClaimedAt!.Value);
        var draft = _state.Draft();
        draft.Status = VoucherStatus.Claimed;
        draft.ActivatedAt = null;
        draft.InstitutionId = state.BoundInstitution;
        draft.ClassKey = null;
        draft.ClassStartsAt = null;
        draft.ClassLevel = null;
        draft.EnrolledStandardFen = null;
        draft.EnrolledUplifts = null;
        draft.OccupationCode = state.BoundOccupation;
        draft.SlotYear = null;
        draft.Deadline = deadline;
        var facts = new RollbackFacts(state.CampaignId, state.CitizenId, state.ClassKey!, state.Deadline.Value, deadline);
        return new Prepared<Result<RollbackFacts>>(_state.Prepare(transaction, draft), Result<RollbackFacts>.Ok(facts));
    }

    /// <summary>Why the committed state refuses the rollback for its status or institution, or null.</summary>
    private Result? RollbackRejection(RollbackRequest request)
    {
        if (Missing() is { } missing)
        {
            return missing;
        }

        var state = _state.State;
        var status = state.EffectiveStatus(request.Now);
        if (status == VoucherStatus.Activated && state.InstitutionId == request.InstitutionId)
        {
            return null;
        }

        return status is VoucherStatus.Expired or VoucherStatus.Revoked or VoucherStatus.Settled
            ? StatusRejection(status, "rolled back")
            : Result.Reject(RejectionCode.NotActivated, "The voucher is not activated at this institution.");
    }

    public async Task<Prepared<Result<CompletionFacts>>> PrepareCompletionAsync(TransactionId transaction, CompletionRequest request)
    {
        // This activation may have read the voucher before its verification through another engine (or,
        // for a voucher expired on its claim deadline, before the activation that moved the deadline on).
        var rejection = CompletionRejection(request);
        if (rejection is { Rejection: RejectionCode.VoucherNotFound or RejectionCode.NotActivated or RejectionCode.VoucherExpired } && !_state.IsBusy)
        {
            await _state.ReloadAsync();
            rejection = CompletionRejection(request);
        }

        if (rejection is not null)
        {
            return Refuse<CompletionFacts>(rejection);
        }

        var state = _state.State;

        // R14
        if (request.AttendancePercent < state.Policy.AttendanceThresholdPercent)
        {
            return Refuse<CompletionFacts>(Result.Reject(RejectionCode.AttendanceBelowThreshold, $"Attendance is {request.AttendancePercent}%, the threshold {state.Policy.AttendanceThresholdPercent}%."));
        }

        if (_state.IsBusy)
        {
            return Refuse<CompletionFacts>(Attempts.Busy());
        }

        var amount = await SubsidyAsync(state);
        var draft = _state.Draft();
        draft.Status = VoucherStatus.Completed;
        draft.CompletedAt = request.Now;
        draft.CertificateNumber = request.CertificateNumber;
        draft.AttendancePercent = request.AttendancePercent;
        draft.Deadline = null;
        draft.Parts = state.ValueMode == ValueMode.CheckInOnly ? [] : Parts(request, amount);
        var facts = new CompletionFacts(state.CampaignId, state.CitizenId, state.Deadline!.Value);
        return new Prepared<Result<CompletionFacts>>(_state.Prepare(transaction, draft), Result<CompletionFacts>.Ok(facts));
    }

    /// <summary>Why the committed state refuses to complete the voucher for the class, for its status, or null.</summary>
    private Result? CompletionRejection(CompletionRequest request)
    {
        if (Missing() is { } missing)
        {
            return missing;
        }

        var state = _state.State;
        var status = state.EffectiveStatus(request.Now);
        if (status == VoucherStatus.Activated && state.ClassKey == request.ClassKey)
        {
            return null;
        }

        return status is VoucherStatus.Expired or VoucherStatus.Revoked or VoucherStatus.Settled or VoucherStatus.Completed
            ? StatusRejection(status, "completed")
            : Result.Reject(RejectionCode.NotActivated, "The voucher is not activated for this class.");
    }

    public async Task<Prepared<Result<SettlementFacts>>> PrepareSettlementClaimAsync(TransactionId transaction, SettlementClaimRequest request)
    {
        // This activation may have read the voucher before its completion, or before a decision on an
        // earlier claim, made through another engine.
        var rejection = SettlementClaimRejection(request);
        if (rejection is { Rejection: RejectionCode.VoucherNotFound or RejectionCode.NotCompleted or RejectionCode.VoucherExpired or RejectionCode.SettlementAlreadyClaimed } && !_state.IsBusy)
        {
            await _state.ReloadAsync();
            rejection = SettlementClaimRejection(request);
        }

        if (rejection is not null)
        {
            return Refuse<SettlementFacts>(rejection);
        }

        if (_state.IsBusy)
        {
            return Refuse<SettlementFacts>(Attempts.Busy());
        }

        var state = _state.State;
        var draft = _state.Draft();
        var claim = draft.Parts.Single(p => p.Part == request.Part);
        claim.Status = SettlementStatus.Claimed;
        claim.PaymentTarget = request.PaymentTarget;
        claim.ClaimedAt = request.Now;
        claim.Reason = null;
        claim.DecidedAt = null;
        var facts = new SettlementFacts(state.CampaignId, state.CitizenId, claim.ToView());
        return new Prepared<Result<SettlementFacts>>(_state.Prepare(transaction, draft), Result<SettlementFacts>.Ok(facts));
    }

    /// <summary>Why the committed state refuses the institution's claim for the part, or null.</summary>
    private Result? SettlementClaimRejection(SettlementClaimRequest request)
    {
        if (Missing() is { } missing)
        {
            return missing;
        }

        var state = _state.State;
        var status = state.EffectiveStatus(request.Now);
        if (status != VoucherStatus.Completed)
        {
            // R18: only a fully recorded training (claimed, verified, attended, passed) is paid.
            return status is VoucherStatus.Settled or VoucherStatus.Revoked or VoucherStatus.Expired
                ? StatusRejection(status, "settled")
                : Result.Reject(RejectionCode.NotCompleted, "The training is not completed.");
        }

        if (state.ValueMode == ValueMode.CheckInOnly)
        {
            return Result.Reject(RejectionCode.NoSubsidy, "A check-in-only voucher carries no subsidy.");
        }

        // R15: each institution settles its own part.
        if (state.Parts.FirstOrDefault(p => p.Part == request.Part) is not { } part || part.InstitutionId != request.InstitutionId)
        {
            return Result.Reject(RejectionCode.NotTrainingParty, $"The institution did not run the {request.Part} part of this training.");
        }

        if (part.Status is SettlementStatus.Claimed or SettlementStatus.Approved)
        {
            return Result.Reject(RejectionCode.SettlementAlreadyClaimed, $"The {request.Part} part is {part.Status} already.");
        }

        if (request.PaymentTarget == PaymentTarget.Individual && state.IssuanceMode != IssuanceMode.General)
        {
            return Result.Reject(RejectionCode.InvalidRequest, "Only a general voucher's subsidy may be paid to the individual (R16).");
        }

        return null;
    }

    public async Task<Prepared<Result<SettlementApprovalFacts>>> PrepareSettlementApprovalAsync(TransactionId transaction, SettlementApprovalRequest request)
    {
        if (await CheckAsync(request.Part) is { } rejected)
        {
            return Refuse<SettlementApprovalFacts>(rejected.ToResult());
        }

        var state = _state.State;
        if (state.Parts.Single(p => p.Part == request.Part).InstitutionId != request.InstitutionId)
        {
            return Refuse<SettlementApprovalFacts>(Result.Reject(
                RejectionCode.SettlementNotClaimed, $"No claim of institution {request.InstitutionId} for the {request.Part} part awaits a decision."));
        }

        var draft = _state.Draft();
        var claim = draft.Parts.Single(p => p.Part == request.Part);
        claim.Status = SettlementStatus.Approved;
        claim.DecidedAt = request.Now;
        if (draft.Parts.All(p => p.Status == SettlementStatus.Approved))
        {
            // R17: settled, the code is invalid for good.
            draft.Status = VoucherStatus.Settled;
            draft.SettledAt = request.Now;
        }

        var facts = new SettlementApprovalFacts(state.CampaignId, state.CitizenId, state.Status, draft.Status, claim.ToView());
        return new Prepared<Result<SettlementApprovalFacts>>(_state.Prepare(transaction, draft), Result<SettlementApprovalFacts>.Ok(facts));
    }

    public Task CompleteAsync(TransactionOutcome outcome)
    {
        _state.Complete(outcome);
        return Task.CompletedTask;
    }

    /// <summary>
    /// R16: the standard for the occupation and the certificate level trained, times the ratio plus the
    /// worker's group uplift, capped by face value or reserve. A voucher that names no level is used for
    /// whatever level its class trains, and that level's standard is the programme's; a voucher that names
    /// one was activated only for a class of that level. A voucher activated before the class's level was
    /// kept has its own.
    /// </summary>
    private async Task<long> SubsidyAsync(VoucherState state)
    {
        if (state.ValueMode == ValueMode.CheckInOnly || state.OccupationCode is null)
        {
            return 0;
        }

        // The catalogue as it stands; an occupation dropped from it since the trainee enrolled is paid as it
        // stood then: the enrolment was made under it and the training recorded in full (R18).
        var occupation = await RegionLookup.OccupationAsync(GrainFactory, state.RegionCode, state.CatalogueYear, state.OccupationCode);
        if ((occupation is null ? state.EnrolledStandardFen : occupation.StandardFor(state.ClassLevel ?? state.Level)) is not { } standard)
        {
            return 0;
        }

        var uplifts = occupation?.Uplifts ?? state.EnrolledUplifts ?? [];
        var uplift = 0;
        if (uplifts.Count > 0 && await GrainFactory.GetGrain<IWorkerGrain>(state.CitizenId).GetAsync() is { Value: { } worker })
        {
            uplift = uplifts.Where(u => worker.Attributes.Categories.Contains(u.Category)).Select(u => u.Percent).DefaultIfEmpty(0).Max();
        }

        var amount = standard * (state.SubsidyRatioPercent + uplift) / 100;
        return Math.Min(amount, state.AmountFen);
    }

    /// <summary>R15: one part, or an online part and an offline part shared by hours when two institutions taught.</summary>
    private static List<PartState> Parts(CompletionRequest request, long amount)
    {
        if (request.OnlinePartnerId is not { } partner)
        {
            return [new PartState { Part = TrainingPart.Whole, InstitutionId = request.InstitutionId, AmountFen = amount }];
        }

        var online = request.TotalMinutes == 0 ? 0 : amount * request.OnlineMinutes / request.TotalMinutes;
        return
        [
            new PartState { Part = TrainingPart.Online, InstitutionId = partner, AmountFen = online },
            new PartState { Part = TrainingPart.Offline, InstitutionId = request.InstitutionId, AmountFen = amount - online },
        ];
    }

    private async Task<Result<SettlementPartView>?> CheckAsync(TrainingPart part) =>
        await ConfirmedClaimRejectionAsync(part) ?? (_state.IsBusy ? Attempts.Busy<SettlementPartView>() : null);

    /// <summary>
    /// <see cref="ClaimRejection"/>, confirmed on the store when it finds no claim: this activation may have
    /// read the voucher before a claim made through another engine (or before a bulk job wrote it), and a
    /// decision on that claim must not be refused for it. Only such refusals pay the read.
    /// </summary>
    private async Task<Result<SettlementPartView>?> ConfirmedClaimRejectionAsync(TrainingPart part)
    {
        var rejection = ClaimRejection(part);
        if (rejection is not { Rejection: RejectionCode.SettlementNotClaimed or RejectionCode.VoucherNotFound } || _state.IsBusy)
        {
            return rejection;
        }

        await _state.ReloadAsync();
        return ClaimRejection(part);
    }

    /// <summary>Why no claim for <paramref name="part"/> awaits a decision, on the committed state; null when one does.</summary>
    private Result<SettlementPartView>? ClaimRejection(TrainingPart part)
    {
        if (Missing() is { } missing)
        {
            return Result<SettlementPartView>.From(missing);
        }

        var state = _state.State;
        if (state.Status == VoucherStatus.Settled)
        {
            return Result<SettlementPartView>.From(StatusRejection(VoucherStatus.Settled, "settled"));
        }

        if (state.Status != VoucherStatus.Completed || state.Parts.FirstOrDefault(p => p.Part == part) is not { Status: SettlementStatus.Claimed })
        {
            return Result<SettlementPartView>.Reject(RejectionCode.SettlementNotClaimed, $"No claim for the {part} part awaits a decision.");
        }

        return null;
    }

    private Result? Missing()
    {
        if (!VoucherCode.IsValid(Code))
        {
            return Result.Reject(RejectionCode.InvalidVoucherCode, $"'{Code}' is not a valid voucher code.");
        }

        return _state.RecordExists ? null : NotFound();
    }

    private Result NotFound() => Result.Reject(RejectionCode.VoucherNotFound, $"No voucher has code {VoucherCode.Format(Code)}.");

    private static Result StatusRejection(VoucherStatus status, string action) => status switch
    {
        VoucherStatus.Issued => Result.Reject(RejectionCode.NotClaimed, $"The voucher must be claimed before it is {action}."),
        VoucherStatus.Claimed => Result.Reject(RejectionCode.AlreadyClaimed, "The voucher is claimed already."),
        VoucherStatus.Activated or VoucherStatus.Completed => Result.Reject(RejectionCode.AlreadyUsed, "The voucher has been used."),
        VoucherStatus.Settled => Result.Reject(RejectionCode.VoucherSettled, "The voucher is settled; its code is no longer valid."),
        VoucherStatus.Expired => Result.Reject(RejectionCode.VoucherExpired, "The voucher has expired."),
        _ => Result.Reject(RejectionCode.VoucherRevoked, "The voucher was revoked."),
    };

    private static Prepared<Result<T>> Refuse<T>(Result rejection) => new(null, Result<T>.From(rejection));

    private VoucherView ToView(VoucherState state, DateTimeOffset now)
    {
        var status = state.EffectiveStatus(now);
        return new VoucherView
        {
            Code = Code,
            CampaignId = state.CampaignId,
            RegionCode = state.RegionCode,
            Status = status,
            CitizenId = state.CitizenId,
            ValueMode = state.ValueMode,
            IssuanceMode = state.IssuanceMode,
            Tier = state.Tier,
            AmountFen = state.AmountFen,
            OccupationCode = state.OccupationCode,
            Level = state.Level,
            Deadline = state.Deadline,
            InstitutionId = state.InstitutionId,
            ClassKey = state.ClassKey,
            IssuedAt = state.IssuedAt,
            ClaimedAt = state.ClaimedAt,
            ActivatedAt = state.ActivatedAt,
            CompletedAt = state.CompletedAt,
            SettledAt = state.SettledAt,
            CertificateNumber = state.CertificateNumber,
            Settlement = [.. state.Parts.Where(p => p.Status is not null).Select(p => p.ToView())],
            RevocationReason = state.RevocationReason,
        };
    }
}
