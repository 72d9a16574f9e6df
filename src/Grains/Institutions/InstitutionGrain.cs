using System.Buffers;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Institutions;

/// <summary>What the engine keeps of an institution.</summary>
internal sealed class InstitutionState : ICopyableState<InstitutionState>
{
    public InstitutionListing? Listing { get; set; }

    public InstitutionStatus Status { get; set; }

    public string? StatusReason { get; set; }

    public List<Strike> Strikes { get; set; } = [];

    /// <summary>Strikes before this instant were cleared by a reinstatement.</summary>
    public DateTimeOffset? StrikesClearedAt { get; set; }

    public long Verifications { get; set; }

    public long SettlementClaims { get; set; }

    /// <summary>Claims approved for payment; counting them writes the record with each approval (R3).</summary>
    public long SettlementApprovals { get; set; }

    /// <summary>The secret check-in tokens are derived from (R13).</summary>
    public byte[] TokenSecret { get; set; } = [];

    /// <summary>
    /// A draft without a serialization round trip, as every verification changes this state. The listing
    /// and the strikes are immutable records and the secret is replaced, never written to, so they are
    /// shared; the list a strike is added to is copied.
    /// </summary>
    public InstitutionState Copy()
    {
        var copy = (InstitutionState)MemberwiseClone();
        copy.Strikes = [.. Strikes];
        return copy;
    }
}

/// <summary>
/// A training institution. It coordinates the operations it performs — verification, rollback,
/// settlement claims — and the approvals of its claims, each as one atomic write of every grain it
/// touches, its own record included, so a suspension (written to the same record) and a verification or
/// an approval can never both succeed out of order, whichever processes they ran in (R3, R11).
/// </summary>
[GrainType("institution")]
internal sealed class InstitutionGrain : Grain, IInstitutionGrain
{
    /// <summary>At most this many classes' facts are kept by an activation; past it they are asked for again.</summary>
    private const int MaxClassFacts = 1024;

    /// <summary>What a class code is made of: ASCII letters and digits, and hyphens.</summary>
    private static readonly SearchValues<char> s_classCodeCharacters =
        SearchValues.Create("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly GrainServices _services;
    private readonly TransactionalState<InstitutionState> _state;

    /// <summary>The facts of this institution's classes, by class key, as their classes answered them.</summary>
    private readonly Dictionary<string, ClassFacts> _classFacts = new(StringComparer.Ordinal);

    /// <summary>
    /// This institution's classes that voucher checks and verifications have asked, by class code: the key
    /// and a reference, made once per activation instead of on every call. A desk checks and verifies
    /// voucher after voucher for the same few classes, and a kept reference also remembers its class's
    /// activation.
    /// </summary>
    private readonly Dictionary<string, (string Key, IClassParticipant Grain)> _checkedClasses = new(StringComparer.Ordinal);

    public InstitutionGrain([PersistentState("institution")] IPersistentState<InstitutionState> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string Id => this.GetPrimaryKeyString();

    public async Task<Result<InstitutionView>> ListAsync(InstitutionListing listing)
    {
        if (!IsValidId(Id))
        {
            return Result<InstitutionView>.Reject(RejectionCode.InvalidRequest, $"'{Id}' is not an institution id (2 to 32 letters and digits).");
        }

        if (listing is null)
        {
            return Result<InstitutionView>.Reject(RejectionCode.InvalidRequest, "A listing is required.");
        }

        if (listing.Validate() is { } problem)
        {
            return Result<InstitutionView>.Reject(RejectionCode.InvalidRequest, problem);
        }

        // R2: listed with the region first; a crash in between leaves the region naming an unlisted institution.
        await GrainFactory.GetGrain<IRegionRegistry>(listing.RegionCode).AddInstitutionAsync(Id);
        var draft = _state.Draft();
        var events = new List<DomainEvent> { new InstitutionListed { At = _services.Now, InstitutionId = Id, Listing = listing } };
        if (draft.Listing is null)
        {
            draft.TokenSecret = CheckInTokens.NewSecret();
            draft.Status = InstitutionStatus.Active;
        }
        else if (draft.Status == InstitutionStatus.Removed)
        {
            draft.Status = InstitutionStatus.Active;
            draft.StatusReason = "listed again";
            events.Add(new InstitutionStatusChanged { At = _services.Now, InstitutionId = Id, Status = InstitutionStatus.Active, Reason = "listed again" });
        }

        draft.Listing = listing;
        await WriteAsync(draft, [.. events]);
        return Result<InstitutionView>.Ok(View());
    }

    public async Task<InstitutionView?> GetAsync()
    {
        // What others refuse on (a roster's approval, a bulk row, an online partner) is confirmed on the store.
        await InactiveAsync();
        return _state.State.Listing is null ? null : View();
    }

    public async Task<Result<InstitutionView>> RecordStrikeAsync(StrikeKind kind, string reason)
    {
        if (_state.State.Listing is not { } listing)
        {
            return Result<InstitutionView>.Reject(RejectionCode.InstitutionNotListed, $"Institution {Id} is not listed.");
        }

        if (string.IsNullOrWhiteSpace(reason) || !Enum.IsDefined(kind))
        {
            return Result<InstitutionView>.Reject(RejectionCode.InvalidRequest, "A strike needs a known kind and a reason.");
        }

        var now = _services.Now;
        var limit = (await RegionLookup.PolicyAsync(GrainFactory, listing.RegionCode) ?? new RegionPolicy()).SanctionStrikeLimit;
        var draft = _state.Draft();
        draft.Strikes.Add(new Strike(kind, reason, now));
        var events = new List<DomainEvent> { new StrikeRecorded { At = now, InstitutionId = Id, Kind = kind, Reason = reason } };

        // R3: the limit of one kind of strike in a year suspends the institution until rectified.
        var count = CurrentStrikes(draft, now).Count(s => s.Kind == kind);
        if (count >= limit && draft.Status == InstitutionStatus.Active)
        {
            draft.Status = InstitutionStatus.Suspended;
            draft.StatusReason = $"{count} strikes of {kind} in {ChinaTime.YearOf(now)}";
            events.Add(new InstitutionStatusChanged { At = now, InstitutionId = Id, Status = InstitutionStatus.Suspended, Reason = draft.StatusReason });
        }

        await WriteAsync(draft, [.. events]);
        return Result<InstitutionView>.Ok(View());
    }

    public Task<Result> SuspendAsync(string reason) => ChangeStatusAsync(InstitutionStatus.Suspended, reason, from: InstitutionStatus.Active);

    public Task<Result> ReinstateAsync(string reason) => ChangeStatusAsync(InstitutionStatus.Active, reason, from: InstitutionStatus.Suspended);

    public Task<Result> RemoveAsync(string reason) => ChangeStatusAsync(InstitutionStatus.Removed, reason, from: null);

    public async Task<Result<ClassView>> RegisterClassAsync(ClassRegistration registration)
    {
        if (await InactiveAsync() is { } inactive)
        {
            return Result<ClassView>.From(inactive);
        }

        var listing = _state.State.Listing!;
        var now = _services.Now;
        if (registration is null || !IsValidClassCode(registration.ClassCode) || registration.Sessions is not { Count: > 0 and <= 500 } sessions
            || sessions.Any(s => s is null || s.End <= s.Start || !Enum.IsDefined(s.Mode)) || registration.Capacity is < 1)
        {
            return Result<ClassView>.Reject(RejectionCode.InvalidRequest, "A class needs a code (letters, digits, '-'), 1 to 500 sessions that end after they start, and a positive capacity if any.");
        }

        // R2: only occupations the institution is listed for.
        if (!listing.Occupations.Contains(registration.OccupationCode))
        {
            return Result<ClassView>.Reject(RejectionCode.OccupationNotAllowed, $"The institution may not train occupation {registration.OccupationCode}.");
        }

        var startsAt = sessions.Min(s => s.Start);
        var occupation = await RegionLookup.OccupationAsync(GrainFactory, listing.RegionCode, ChinaTime.YearOf(startsAt), registration.OccupationCode);
        if (occupation is null)
        {
            return Result<ClassView>.Reject(RejectionCode.OccupationNotInCatalogue, $"Occupation {registration.OccupationCode} is not in the catalogue of region {listing.RegionCode}.");
        }

        var policy = await RegionLookup.PolicyAsync(GrainFactory, listing.RegionCode);
        if (policy is null)
        {
            return Result<ClassView>.Reject(RejectionCode.RegionPolicyNotSet, $"Region {listing.RegionCode} has no policy.");
        }

        // R12
        if (startsAt - now < TimeSpan.FromDays(policy.ClassRegistrationLeadDays))
        {
            return Result<ClassView>.Reject(RejectionCode.RegistrationTooLate, $"Classes are registered at least {policy.ClassRegistrationLeadDays} day(s) before they start.");
        }

        var total = sessions.Sum(s => (s.End - s.Start).TotalMinutes);
        var online = sessions.Where(s => s.Mode == SessionMode.Online).Sum(s => (s.End - s.Start).TotalMinutes);

        // R14: online hours at most the cap of a government programme's total.
        if (online * 100 > total * policy.OnlineShareCapPercent)
        {
            return Result<ClassView>.Reject(RejectionCode.OnlineShareExceeded, $"Online hours are {online * 100 / total:0}% of the class, above the {policy.OnlineShareCapPercent}% cap.");
        }

        // R15: an operation-skill occupation needs offline practice.
        if (occupation.Kind == SkillKind.OperationSkill && online >= total)
        {
            return Result<ClassView>.Reject(RejectionCode.OfflinePracticeRequired, $"Occupation {occupation.Code} is operation-skill: it needs offline practice.");
        }

        if (online < total && listing.Site is null)
        {
            return Result<ClassView>.Reject(RejectionCode.InvalidRequest, "Offline sessions need the institution's site for check-in.");
        }

        if (registration.OnlinePartnerId is { } partnerId)
        {
            if (online == 0 || partnerId == Id)
            {
                return Result<ClassView>.Reject(RejectionCode.InvalidRequest, "An online partner teaches the online sessions of a class that has some, and is another institution.");
            }

            var partner = await GrainFactory.GetGrain<IInstitutionGrain>(partnerId).GetAsync();
            if (InstitutionRejection(partner) is { } rejected)
            {
                return Result<ClassView>.From(rejected);
            }

            if (!partner!.Listing.OnlinePlatform)
            {
                return Result<ClassView>.Reject(RejectionCode.InvalidRequest, $"Institution {partnerId} is not an online platform.");
            }

            // R2, R15: the platform teaches, reports and settles a part of this occupation's training, so
            // it must be listed for the occupation as the class's institution is.
            if (!partner.Listing.Occupations.Contains(registration.OccupationCode))
            {
                return Result<ClassView>.Reject(RejectionCode.OccupationNotAllowed, $"The online platform {partnerId} may not train occupation {registration.OccupationCode}.");
            }
        }

        var classKey = ClassKey.Of(Id, registration.ClassCode);
        var definition = new ClassDefinition(
            Id,
            registration.OccupationCode,
            registration.Level,
            [.. sessions],
            registration.OnlinePartnerId,
            listing.Site,
            listing.SiteRadiusMetres,
            registration.Capacity,
            CheckInTokens.ClassKeyFrom(_state.State.TokenSecret, classKey));
        var created = await GrainFactory.GetGrain<IClassParticipant>(classKey).CreateAsync(definition);
        if (!created.IsSuccess)
        {
            return Result<ClassView>.From(created);
        }

        return Result<ClassView>.Ok((await GrainFactory.GetGrain<IClassGrain>(classKey).GetAsync())!);
    }

    public async Task<Result<VerificationReceipt>> VerifyVoucherAsync(VerificationRequest request)
    {
        var now = _services.Now;
        if (request is null || !VoucherCode.TryParse(request.VoucherCode, out var code))
        {
            return Result<VerificationReceipt>.Reject(RejectionCode.InvalidVoucherCode, "The voucher code is not valid; check it for a mistyped character.");
        }

        if (!CitizenId.TryParse(request.PresenterCitizenId, ChinaTime.DateOf(now), out var presenter))
        {
            return Result<VerificationReceipt>.Reject(RejectionCode.InvalidCitizenId, "The presenter's citizen id is not valid.");
        }

        if (!IsValidClassCode(request.ClassCode))
        {
            return Result<VerificationReceipt>.Reject(RejectionCode.ClassNotFound, $"'{request.ClassCode}' is not a class code.");
        }

        var (classKey, participant) = CheckedClass(request.ClassCode);
        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            // R3: a suspended or removed institution cannot verify.
            if (await InactiveAsync() is { } inactive)
            {
                return Result<VerificationReceipt>.From(inactive);
            }

            var listing = _state.State.Listing!;
            var schoolClass = await ClassFactsAsync(classKey, participant, presenter);
            if (schoolClass is null)
            {
                return Result<VerificationReceipt>.Reject(RejectionCode.ClassNotFound, $"No class {request.ClassCode}.");
            }

            // R2, R11: the institution must be allowed to train the occupation.
            if (!listing.Occupations.Contains(schoolClass.OccupationCode))
            {
                return Result<VerificationReceipt>.Reject(RejectionCode.OccupationNotAllowed, $"The institution may not train occupation {schoolClass.OccupationCode}.");
            }

            await using var transaction = new TransactionCoordinator(_services.Storage);
            var voucher = GrainFactory.GetGrain<IVoucherParticipant>(code);
            var voucherVote = await transaction.PrepareAsync(voucher.PrepareActivationAsync(transaction.Id, new ActivationRequest(
                presenter, Id, listing.RegionCode, classKey, schoolClass.OccupationCode, schoolClass.Level, schoolClass.StartsAt, schoolClass.OnlineMinutes, schoolClass.TotalMinutes, now)), voucher.CompleteAsync);

            if (!voucherVote.Value.IsSuccess)
            {
                return Result<VerificationReceipt>.Reject(voucherVote.Value.Rejection!.Value, voucherVote.Value.Detail);
            }

            var facts = voucherVote.Value.Value!;

            // R10: the worker's yearly limits, under the policy the voucher was issued with.
            var worker = GrainFactory.GetGrain<IWorkerParticipant>(presenter);
            var workerVote = await transaction.PrepareAsync(worker.PrepareActivationAsync(transaction.Id, new SlotRequest(code, schoolClass.OccupationCode, facts.Year, facts.Limits, facts.Deadline)), worker.CompleteAsync);

            if (!workerVote.Value.IsSuccess)
            {
                return Result<VerificationReceipt>.From(workerVote.Value);
            }

            var classVote = await transaction.PrepareAsync(participant.PrepareEnrolmentAsync(transaction.Id, new Enrolment(presenter, code, facts.CampaignId, now)), participant.CompleteAsync);

            if (!classVote.Value.IsSuccess)
            {
                return Result<VerificationReceipt>.From(classVote.Value);
            }

            var draft = _state.Draft();
            draft.Verifications++;
            transaction.EnlistSelf(_state, draft);
            transaction.Publish(new VoucherActivated
            {
                At = now,
                Code = code,
                CampaignId = facts.CampaignId,
                CitizenId = presenter,
                From = VoucherStatus.Claimed,
                To = VoucherStatus.Activated,
                DeadlineBefore = facts.DeadlineBefore,
                DeadlineAfter = facts.Deadline,
                InstitutionId = Id,
                ClassKey = classKey,
                OccupationCode = schoolClass.OccupationCode,
                Year = facts.Year,
            });
            if (await transaction.CommitAsync())
            {
                return Result<VerificationReceipt>.Ok(new VerificationReceipt(code, presenter, classKey, schoolClass.OccupationCode, facts.Deadline));
            }

            await _state.ReloadAsync();
        }

        return Attempts.Contended<VerificationReceipt>();
    }

    public async Task<VoucherCheck> CheckVoucherAsync(VerificationRequest request)
    {
        var now = _services.Now;
        if (request is null || !VoucherCode.TryParse(request.VoucherCode, out var code))
        {
            return new VoucherCheck(request?.VoucherCode ?? "", RejectionCode.InvalidVoucherCode, "The voucher code is not valid; check it for a mistyped character.", null);
        }

        if (!CitizenId.TryParse(request.PresenterCitizenId, ChinaTime.DateOf(now), out var presenter))
        {
            return new VoucherCheck(code, RejectionCode.InvalidCitizenId, "The presenter's citizen id is not valid.", null);
        }

        if (!IsValidClassCode(request.ClassCode))
        {
            return new VoucherCheck(code, RejectionCode.ClassNotFound, $"'{request.ClassCode}' is not a class code.", null);
        }

        // The same checks as VerifyVoucherAsync, in the same order, each on committed state, in one call
        // to each grain involved: class, voucher (which looks up the catalogue), worker.
        // R3: a suspended or removed institution cannot verify.
        if (await InactiveAsync() is { } inactive)
        {
            return await RefusedWithStatusAsync(inactive);
        }

        var listing = _state.State.Listing!;

        var (classKey, classGrain) = CheckedClass(request.ClassCode);
        var schoolClass = await classGrain.CheckEnrolmentAsync(presenter);
        if (schoolClass.Class is not { } facts)
        {
            return await RefusedWithStatusAsync(Result.Reject(RejectionCode.ClassNotFound, $"No class {request.ClassCode}."));
        }

        // R2, R11: the institution must be allowed to train the occupation.
        if (!listing.Occupations.Contains(facts.OccupationCode))
        {
            return await RefusedWithStatusAsync(Result.Reject(RejectionCode.OccupationNotAllowed, $"The institution may not train occupation {facts.OccupationCode}."));
        }

        var voucher = await GrainFactory.GetGrain<IVoucherParticipant>(code).CheckActivationAsync(new ActivationRequest(
            presenter, Id, listing.RegionCode, classKey, facts.OccupationCode, facts.Level, facts.StartsAt, facts.OnlineMinutes, facts.TotalMinutes, now));
        if (!voucher.Facts.IsSuccess)
        {
            return Refused(voucher.Facts.ToResult());
        }

        // R10: the worker's yearly limits, under the policy the voucher was issued with.
        var activation = voucher.Facts.Value!;
        var slot = await GrainFactory.GetGrain<IWorkerParticipant>(presenter).CheckActivationAsync(new SlotRequest(code, facts.OccupationCode, activation.Year, activation.Limits, activation.Deadline));
        if (!slot.IsSuccess)
        {
            return Refused(slot);
        }

        return schoolClass.Enrolment.IsSuccess ? new VoucherCheck(code, null, null, voucher.Status) : Refused(schoolClass.Enrolment);

        VoucherCheck Refused(Result rejection) => new(code, rejection.Rejection, rejection.Detail, voucher.Status);

        // The status is the holder's to know, as in the voucher's own check.
        async Task<VoucherCheck> RefusedWithStatusAsync(Result rejection)
        {
            var view = await GrainFactory.GetGrain<IVoucherGrain>(code).GetAsync();
            var status = view is { IsSuccess: true, Value: { } found } && found.CitizenId == presenter ? found.Status : (VoucherStatus?)null;
            return new VoucherCheck(code, rejection.Rejection, rejection.Detail, status);
        }
    }

    public async Task<Result> RollBackVerificationAsync(string voucherCode, string reason)
    {
        if (!VoucherCode.TryParse(voucherCode, out var code))
        {
            return Result.Reject(RejectionCode.InvalidVoucherCode, "The voucher code is not valid.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result.Reject(RejectionCode.InvalidRequest, "A rollback needs a reason.");
        }

        var now = _services.Now;
        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            if (_state.State.Listing is null)
            {
                return Result.Reject(RejectionCode.InstitutionNotListed, $"Institution {Id} is not listed.");
            }

            await using var transaction = new TransactionCoordinator(_services.Storage);
            var voucher = GrainFactory.GetGrain<IVoucherParticipant>(code);
            var voucherVote = await transaction.PrepareAsync(voucher.PrepareRollbackAsync(transaction.Id, new RollbackRequest(Id, now)), voucher.CompleteAsync);

            if (!voucherVote.Value.IsSuccess)
            {
                return voucherVote.Value.ToResult();
            }

            var facts = voucherVote.Value.Value!;
            var worker = GrainFactory.GetGrain<IWorkerParticipant>(facts.CitizenId);
            var workerVote = await transaction.PrepareAsync(worker.PrepareChangeAsync(transaction.Id, new HeldChange(code, VoucherStatus.Claimed, facts.Deadline, ReleaseSlot: true)), worker.CompleteAsync);

            if (!workerVote.Value.IsSuccess)
            {
                return workerVote.Value;
            }

            var participant = GrainFactory.GetGrain<IClassParticipant>(facts.ClassKey);
            var classVote = await transaction.PrepareAsync(participant.PrepareWithdrawalAsync(transaction.Id, facts.CitizenId, code), participant.CompleteAsync);

            if (!classVote.Value.IsSuccess)
            {
                return classVote.Value;
            }

            var draft = _state.Draft();
            draft.Verifications--;
            transaction.EnlistSelf(_state, draft);
            transaction.Publish(new VoucherActivationRolledBack
            {
                At = now,
                Code = code,
                CampaignId = facts.CampaignId,
                CitizenId = facts.CitizenId,
                From = VoucherStatus.Activated,
                To = VoucherStatus.Claimed,
                DeadlineBefore = facts.DeadlineBefore,
                DeadlineAfter = facts.Deadline,
                InstitutionId = Id,
                ClassKey = facts.ClassKey,
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

    public async Task<Result<CheckInToken>> IssueCheckInTokenAsync(string classCode, int session, TimeSpan validFor)
    {
        if (_state.State.Listing is null)
        {
            return Result<CheckInToken>.Reject(RejectionCode.InstitutionNotListed, $"Institution {Id} is not listed.");
        }

        // R3: a suspended institution finishes the training under way (its trainees keep checking in);
        // a removed one is out of the programme and vouches for no attendance.
        if (_state.State.Status == InstitutionStatus.Removed)
        {
            return Result<CheckInToken>.Reject(RejectionCode.InstitutionRemoved, "The institution was removed from the catalogue.");
        }

        if (validFor <= TimeSpan.Zero || validFor > CheckInTokens.MaxValidity)
        {
            return Result<CheckInToken>.Reject(RejectionCode.InvalidRequest, $"A check-in code is valid for at most {CheckInTokens.MaxValidity.TotalMinutes} minutes.");
        }

        if (!IsValidClassCode(classCode))
        {
            return Result<CheckInToken>.Reject(RejectionCode.ClassNotFound, $"'{classCode}' is not a class code.");
        }

        var classKey = ClassKey.Of(Id, classCode);
        var schoolClass = await GrainFactory.GetGrain<IClassGrain>(classKey).GetAsync();
        if (schoolClass is null || session < 0 || session >= schoolClass.Sessions.Count)
        {
            return Result<CheckInToken>.Reject(schoolClass is null ? RejectionCode.ClassNotFound : RejectionCode.SessionNotOpen, "No such class or session.");
        }

        var expiresAt = _services.Now + validFor;
        var key = CheckInTokens.ClassKeyFrom(_state.State.TokenSecret, classKey);
        return Result<CheckInToken>.Ok(new CheckInToken(CheckInTokens.Create(key, classKey, session, expiresAt), expiresAt));
    }

    public Task<Result<SettlementPartView>> ClaimSettlementAsync(SettlementRequest request)
    {
        if (request is null || !VoucherCode.TryParse(request.VoucherCode, out var code))
        {
            return Task.FromResult(Result<SettlementPartView>.Reject(RejectionCode.InvalidVoucherCode, "The voucher code is not valid."));
        }

        if (!Enum.IsDefined(request.Part) || !Enum.IsDefined(request.PaymentTarget))
        {
            return Task.FromResult(Result<SettlementPartView>.Reject(RejectionCode.InvalidRequest, "Unknown part or payment target."));
        }

        var now = _services.Now;

        // R3: a suspended or removed institution cannot settle.
        return SettleAsync(
            code,
            InactiveAsync,
            (voucher, transaction) => voucher.PrepareSettlementClaimAsync(transaction, new SettlementClaimRequest(Id, request.Part, request.PaymentTarget, now)),
            draft => draft.SettlementClaims++,
            facts => (facts.Part, new SettlementClaimed
            {
                At = now,
                Code = code,
                CampaignId = facts.CampaignId,
                CitizenId = facts.CitizenId,
                From = VoucherStatus.Completed,
                To = VoucherStatus.Completed,
                Part = request.Part,
                InstitutionId = Id,
                AmountFen = facts.Part.AmountFen,
            }));
    }

    public Task<Result<SettlementPartView>> ApproveSettlementAsync(string voucherCode, TrainingPart part)
    {
        if (!VoucherCode.TryParse(voucherCode, out var code))
        {
            return Task.FromResult(Result<SettlementPartView>.Reject(RejectionCode.InvalidVoucherCode, "The voucher code is not valid."));
        }

        if (!Enum.IsDefined(part))
        {
            return Task.FromResult(Result<SettlementPartView>.Reject(RejectionCode.InvalidRequest, "Unknown part."));
        }

        var now = _services.Now;

        // R3: a suspended or removed institution is paid nothing; a claim it made while active waits for its
        // reinstatement (or listing again), and may be rejected meanwhile.
        return SettleAsync(
            code,
            UnpaidAsync,
            (voucher, transaction) => voucher.PrepareSettlementApprovalAsync(transaction, new SettlementApprovalRequest(Id, part, now)),
            draft => draft.SettlementApprovals++,
            facts => (facts.Part, new SettlementApproved
            {
                At = now,
                Code = code,
                CampaignId = facts.CampaignId,
                CitizenId = facts.CitizenId,
                From = facts.From,
                To = facts.To,
                Part = part,
                InstitutionId = Id,
                AmountFen = facts.Part.AmountFen,
            }));
    }

    internal static Result? InstitutionRejection(InstitutionView? institution) => institution switch
    {
        null => Result.Reject(RejectionCode.InstitutionNotListed, "The institution is not in the catalogue."),
        { Status: InstitutionStatus.Suspended } => Result.Reject(RejectionCode.InstitutionSuspended, $"The institution is suspended: {institution.StatusReason}"),
        { Status: InstitutionStatus.Removed } => Result.Reject(RejectionCode.InstitutionRemoved, $"The institution was removed from the catalogue: {institution.StatusReason}"),
        _ => null,
    };

    /// <summary>
    /// R3, R11: why directed vouchers of a campaign of <paramref name="campaignRegion"/> may not be bound to
    /// <paramref name="institution"/> (a roster's, or a directed bulk row's), or null. It must be listed and
    /// active, and inside the campaign's region: an institution outside it may not verify them, so they
    /// could never be used, and each would keep its worker from any other voucher while it lives (R7).
    /// </summary>
    internal static Result? DirectedRejection(InstitutionView? institution, string campaignRegion) =>
        InstitutionRejection(institution)
        ?? (RegionCode.Contains(campaignRegion, institution!.Listing.RegionCode)
            ? null
            : Result.Reject(RejectionCode.OutOfRegion, $"The institution's region {institution.Listing.RegionCode} is outside the campaign's region {campaignRegion}."));

    /// <summary>
    /// A settlement step of this institution on a voucher's part — its claim, or the authority's approval of
    /// it — as one atomic write of the voucher and this institution's record, tried again on a lost race.
    /// The institution's standing (<paramref name="refusal"/>, R3) is checked on the state its record is
    /// written from, so a sanction that lands before the commit, through any engine, fails the commit and
    /// refuses the next attempt.
    /// </summary>
    /// <param name="code">The voucher.</param>
    /// <param name="refusal">Why the institution may not take the step now, or null.</param>
    /// <param name="prepare">Asks the voucher to hold its part of the step pending.</param>
    /// <param name="count">Counts the step in the institution's record.</param>
    /// <param name="recorded">The part as the step leaves it, and the event that announces it.</param>
    private async Task<Result<SettlementPartView>> SettleAsync<TFacts>(
        string code,
        Func<Task<Result?>> refusal,
        Func<IVoucherParticipant, TransactionId, Task<Prepared<Result<TFacts>>>> prepare,
        Action<InstitutionState> count,
        Func<TFacts, (SettlementPartView Part, VoucherEvent Event)> recorded)
    {
        for (var attempt = 0; attempt < Attempts.Max; attempt++)
        {
            if (await refusal() is { } refused)
            {
                return Result<SettlementPartView>.From(refused);
            }

            await using var transaction = new TransactionCoordinator(_services.Storage);
            var voucher = GrainFactory.GetGrain<IVoucherParticipant>(code);
            var vote = await transaction.PrepareAsync(prepare(voucher, transaction.Id), voucher.CompleteAsync);

            if (!vote.Value.IsSuccess)
            {
                return Result<SettlementPartView>.Reject(vote.Value.Rejection!.Value, vote.Value.Detail);
            }

            var (part, announced) = recorded(vote.Value.Value!);
            var draft = _state.Draft();
            count(draft);
            transaction.EnlistSelf(_state, draft);
            transaction.Publish(announced);
            if (await transaction.CommitAsync())
            {
                return Result<SettlementPartView>.Ok(part);
            }

            await _state.ReloadAsync();
        }

        return Attempts.Contended<SettlementPartView>();
    }

    private async Task<Result> ChangeStatusAsync(InstitutionStatus status, string reason, InstitutionStatus? from)
    {
        // A refusal writes nothing, so an activation that another engine's listing or change of status left
        // behind would refuse on what it read (a suspension refused as made already, the institution staying
        // active, R3): it reads the institution again before it refuses.
        var refused = StatusChangeRefusal(status, reason, from);
        if (refused is not null && !string.IsNullOrWhiteSpace(reason))
        {
            await _state.ReloadAsync();
            refused = StatusChangeRefusal(status, reason, from);
        }

        if (refused is not null)
        {
            return refused;
        }

        var now = _services.Now;
        var draft = _state.Draft();
        draft.Status = status;
        draft.StatusReason = reason;
        if (status == InstitutionStatus.Active)
        {
            // R3: reinstated after rectification; this year's strikes no longer count.
            draft.StrikesClearedAt = now;
        }

        await WriteAsync(draft, new InstitutionStatusChanged { At = now, InstitutionId = Id, Status = status, Reason = reason });
        return Result.Ok;
    }

    /// <summary>Why the committed state refuses to change the institution's status to <paramref name="status"/>, or null.</summary>
    private Result? StatusChangeRefusal(InstitutionStatus status, string reason, InstitutionStatus? from)
    {
        if (_state.State.Listing is null)
        {
            return Result.Reject(RejectionCode.InstitutionNotListed, $"Institution {Id} is not listed.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return Result.Reject(RejectionCode.InvalidRequest, "A reason is required.");
        }

        var current = _state.State.Status;
        if (current == status || (from is { } required && current != required))
        {
            return InstitutionRejection(View()) ?? Result.Reject(RejectionCode.InvalidRequest, $"The institution is {current}.");
        }

        return null;
    }

    /// <summary>
    /// The facts of a class of this institution, or null when there is no such class. They never change
    /// once the class is created (it refuses a second creation), so the class is asked once per
    /// activation rather than on every verification; its enrolment rules are checked when it prepares.
    /// The class's view is not used: it would copy every trainee.
    /// </summary>
    private async Task<ClassFacts?> ClassFactsAsync(string classKey, IClassParticipant schoolClass, string presenter)
    {
        if (_classFacts.TryGetValue(classKey, out var known))
        {
            return known;
        }

        var facts = (await schoolClass.CheckEnrolmentAsync(presenter)).Class;
        if (facts is not null)
        {
            if (_classFacts.Count >= MaxClassFacts)
            {
                _classFacts.Clear();
            }

            _classFacts[classKey] = facts;
        }

        return facts;
    }

    /// <summary>The key of this institution's class <paramref name="classCode"/> and a reference to it, kept for later checks.</summary>
    private (string Key, IClassParticipant Grain) CheckedClass(string classCode)
    {
        if (_checkedClasses.TryGetValue(classCode, out var known))
        {
            return known;
        }

        if (_checkedClasses.Count >= MaxClassFacts)
        {
            _checkedClasses.Clear();
        }

        var key = ClassKey.Of(Id, classCode);
        return _checkedClasses[classCode] = (key, GrainFactory.GetGrain<IClassParticipant>(key));
    }

    // An active institution is answered without building its view: this is on every verification.
    private Result? Inactive() => _state.State switch
    {
        { Listing: null } => InstitutionRejection(null),
        { Status: InstitutionStatus.Active } => null,
        _ => InstitutionRejection(View()),
    };

    /// <summary>
    /// R3: why the institution may not be paid a claim now, confirmed on the store as <see cref="InactiveAsync"/>
    /// is, in the words the authority reads; null when it is active.
    /// </summary>
    private async Task<Result?> UnpaidAsync() => await InactiveAsync() is null ? null : _state.State switch
    {
        { Listing: null } => Result.Reject(RejectionCode.InstitutionNotListed, $"Institution {Id} is not in the catalogue."),
        { Status: InstitutionStatus.Removed } state => Result.Reject(RejectionCode.InstitutionRemoved, $"Institution {Id} was removed from the catalogue ({state.StatusReason})."),
        var state => Result.Reject(RejectionCode.InstitutionSuspended, $"Institution {Id} is suspended ({state.StatusReason}); its claim is paid once it is reinstated."),
    };

    /// <summary>
    /// R2, R3: why the institution may not act now, confirmed on the store. A refusal writes nothing, so an
    /// activation that another engine's listing or reinstatement left behind would never learn of it;
    /// it reads the institution again before it refuses (a read only when the answer is a refusal).
    /// </summary>
    private async Task<Result?> InactiveAsync()
    {
        if (Inactive() is null)
        {
            return null;
        }

        await _state.ReloadAsync();
        return Inactive();
    }

    private static IEnumerable<Strike> CurrentStrikes(InstitutionState state, DateTimeOffset now) =>
        state.Strikes.Where(s => ChinaTime.YearOf(s.At) == ChinaTime.YearOf(now) && (state.StrikesClearedAt is not { } cleared || s.At > cleared));

    private Task WriteAsync(InstitutionState draft, params DomainEvent[] events) =>
        _state.WriteAsync(draft, [.. events.Select(e => EventSerializer.ToStream(Streams.Institution(Id), Id, e))]);

    private static bool IsValidId(string id) => id.Length is >= 2 and <= 32 && id.All(char.IsAsciiLetterOrDigit);

    private static bool IsValidClassCode(string? code) => code is { Length: >= 1 and <= 32 } && !code.AsSpan().ContainsAnyExcept(s_classCodeCharacters);

    private InstitutionView View()
    {
        var state = _state.State;
        return new InstitutionView(Id, state.Listing!, state.Status, state.StatusReason, [.. CurrentStrikes(state, _services.Now)], state.Verifications);
    }
}
