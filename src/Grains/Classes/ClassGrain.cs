using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Classes;

/// <summary>
/// A class: sessions, trainees, check-ins (R13), attendance and results (R14, R15). It completes its
/// trainees' vouchers atomically with the result that completes them.
/// </summary>
[GrainType(GrainTypeName)]
internal sealed partial class ClassGrain : Grain, IClassGrain, IClassParticipant
{
    /// <summary>Check-in opens this long before a session starts.</summary>
    private static readonly TimeSpan s_checkInOpens = TimeSpan.FromMinutes(30);

    /// <summary>Faster than this between two positions of one trainee is not a real journey (about 300 km/h).</summary>
    private const double MaxMetresPerSecond = 300_000 / 3600.0;

    /// <summary>A scanned code with a position farther than this from the site (and than ten radii) is flagged impossible.</summary>
    private const double FarFromSiteMetres = 5_000;

    private readonly GrainServices _services;

    /// <summary>The class's row: its definition, written when the class is created and not since.</summary>
    private readonly TransactionalState<ClassState> _definition;

    /// <summary>The class's counters: what enrolments, withdrawals and check-ins change of the class as a whole.</summary>
    private readonly TransactionalState<ClassCounters> _counters;

    /// <summary>What a verification needs of the class, once it exists.</summary>
    private ClassFacts? _facts;

    public ClassGrain(
        [PersistentState(StateName)] IPersistentState<ClassState> definition,
        [PersistentState(CountersStateName)] IPersistentState<ClassCounters> counters,
        IServiceProvider services)
    {
        _services = new GrainServices(services);
        _definition = _services.Transactional(definition);
        _counters = _services.Transactional(counters);
    }

    private string Key => this.GetPrimaryKeyString();

    public Task<ClassView?> GetAsync() => Task.FromResult(_definition.State.InstitutionId is null ? null : View());

    public async Task<Result<CheckInReceipt>> CheckInAsync(CheckInRequest request)
    {
        var now = _services.Now;
        var (notEnrolled, citizenId) = await ConfirmedTraineeAsync(request?.CitizenId);
        if (notEnrolled is not null)
        {
            return Result<CheckInReceipt>.From(notEnrolled);
        }

        var state = _definition.State;
        if (request!.Session < 0 || request.Session >= state.Sessions.Count)
        {
            return Result<CheckInReceipt>.Reject(RejectionCode.SessionNotOpen, $"The class has no session {request.Session}.");
        }

        var session = state.Sessions[request.Session];
        if (session.Mode != SessionMode.Offline)
        {
            return Result<CheckInReceipt>.Reject(RejectionCode.WrongCheckInMethod, "Online sessions are attended on the platform, which reports them.");
        }

        if (now < session.Start - s_checkInOpens || now > session.End)
        {
            return Result<CheckInReceipt>.Reject(RejectionCode.SessionNotOpen, $"Session {request.Session} takes check-ins from {session.Start - s_checkInOpens:u} to {session.End:u}.");
        }

        // R13: by location inside the site's radius; the institution's signed QR code is the fallback.
        CheckInMethod method;
        if (request.Position is { IsValid: true } position && state.Site is { } site && position.DistanceTo(site) <= state.SiteRadiusMetres)
        {
            method = CheckInMethod.Location;
        }
        else if (request.Token is not null)
        {
            if (!CheckInTokens.IsValid(state.TokenKey, request.Token, Key, request.Session, now))
            {
                return Result<CheckInReceipt>.Reject(RejectionCode.InvalidCheckInToken, "The check-in code is not genuine, not for this session, or expired.");
            }

            method = CheckInMethod.QrToken;
        }
        else
        {
            return Result<CheckInReceipt>.Reject(
                request.Position is { IsValid: true } ? RejectionCode.OutsideSiteRadius : RejectionCode.InvalidRequest,
                request.Position is { IsValid: true } ? $"The position is outside the {state.SiteRadiusMetres} m around the site; scan the institution's code instead." : "A check-in needs a position or a scanned code.");
        }

        return await AttendAsync(citizenId, request.Session, method, request.Position, now);
    }

    /// <summary>
    /// Records a trainee's attendance of a session, counted once (R14); a location check-in or a scanned
    /// code is checked for the anomalies supervision is shown (R13, R21), an online-study report is not.
    /// </summary>
    private Task<Result<CheckInReceipt>> AttendAsync(string citizenId, int session, CheckInMethod method, GeoPoint? position, DateTimeOffset now) =>
        CommitAsync<CheckInReceipt>(async transaction =>
        {
            if (await TraineeAsync(citizenId) is not { } record)
            {
                return Result<CheckInReceipt>.From(NotEnrolled());
            }

            if (record.IsBusy)
            {
                return Attempts.Busy<CheckInReceipt>();
            }

            var trainee = record.Draft();
            var flags = CheckInFlags(session, method, position, trainee, now, out var counted);

            // The platform's report of a repeat is answered, not flagged for supervision.
            var supervised = method != CheckInMethod.OnlineStudy ? flags : [];
            if (CountersChange(session, counted, supervised, position, citizenId, now) is { } change)
            {
                if (_counters.IsBusy)
                {
                    return Attempts.Busy<CheckInReceipt>();
                }

                transaction.EnlistSelf(_counters, change);
            }

            transaction.EnlistSelf(record, trainee);
            var checkedIn = new TraineeCheckedIn
            {
                At = now,
                ClassKey = Key,
                CitizenId = citizenId,
                VoucherCode = trainee.VoucherCode,
                Session = session,
                Method = method,
                Position = position,
                Flags = flags,
                Counted = counted,
            };
            Publish(transaction, checkedIn, citizenId);
            return Result<CheckInReceipt>.Ok(new CheckInReceipt(session, method, now, flags));
        });

    /// <summary>What an attendance flags (R13, R21), with <paramref name="trainee"/> changed as it records.</summary>
    private List<AnomalyKind> CheckInFlags(int session, CheckInMethod method, GeoPoint? position, TraineeState trainee, DateTimeOffset now, out bool counted)
    {
        var state = _definition.State;
        var flags = new List<AnomalyKind>();
        counted = !trainee.Attended.Contains(session);
        if (!counted)
        {
            flags.Add(AnomalyKind.RepeatedCheckIn);
        }
        else
        {
            trainee.Attended.Add(session);
        }

        if (position is { IsValid: true } reported)
        {
            // R13, R21: a scanned code proves presence at the site, so a position reported far from it
            // is impossible (a forwarded photo of the code); a near miss only means location failed.
            var fromSite = state.Site is { } checkInSite ? reported.DistanceTo(checkInSite) : 0;
            if (method == CheckInMethod.QrToken && fromSite > Math.Max(FarFromSiteMetres, 10.0 * state.SiteRadiusMetres))
            {
                flags.Add(AnomalyKind.ImpossiblePosition);
            }
            else if (method == CheckInMethod.QrToken && fromSite > state.SiteRadiusMetres)
            {
                flags.Add(AnomalyKind.OutsideRadius);
            }

            // Two positions of one trainee farther apart than anyone could travel in the time between.
            if (trainee.LastPosition is { } last && trainee.LastPositionAt is { } lastAt
                && reported.DistanceTo(last) / Math.Max(1, (now - lastAt).TotalSeconds) > MaxMetresPerSecond
                && !flags.Contains(AnomalyKind.ImpossiblePosition))
            {
                flags.Add(AnomalyKind.ImpossiblePosition);
            }

            trainee.LastPosition = reported;
            trainee.LastPositionAt = now;
        }

        return flags;
    }

    /// <summary>
    /// The class's counters as an attendance changes them: the session's first counted attendance (R13's
    /// sessions without check-ins) and the attendance's flags; null when it changes nothing of the class.
    /// </summary>
    private ClassCounters? CountersChange(int session, bool counted, List<AnomalyKind> flags, GeoPoint? position, string citizenId, DateTimeOffset now)
    {
        var firstAttendance = counted && !_counters.State.AttendedSessions.Contains(session);
        if (!firstAttendance && flags.Count == 0)
        {
            return null;
        }

        var draft = _counters.Draft();
        if (firstAttendance)
        {
            draft.AttendedSessions.Add(session);
        }

        foreach (var flag in flags)
        {
            draft.Flags.Add(new Anomaly(flag, session, citizenId, now, position is { } at ? $"reported at {at.Latitude:0.#####},{at.Longitude:0.#####}" : null));
        }

        return draft;
    }

    public async Task<Result<CheckInReceipt>> RecordOnlineStudyAsync(OnlineStudyReport report)
    {
        var now = _services.Now;
        var (notEnrolled, citizenId) = await ConfirmedTraineeAsync(report?.CitizenId);
        if (notEnrolled is not null)
        {
            return Result<CheckInReceipt>.From(notEnrolled);
        }

        var state = _definition.State;
        if (report!.ReporterInstitutionId != (state.OnlinePartnerId ?? state.InstitutionId))
        {
            return Result<CheckInReceipt>.Reject(RejectionCode.NotTrainingParty, "Only the institution teaching the online sessions reports them.");
        }

        if (report.Session < 0 || report.Session >= state.Sessions.Count || state.Sessions[report.Session].Mode != SessionMode.Online)
        {
            return Result<CheckInReceipt>.Reject(RejectionCode.WrongCheckInMethod, $"Session {report.Session} is not an online session of the class.");
        }

        if (now < state.Sessions[report.Session].Start)
        {
            return Result<CheckInReceipt>.Reject(RejectionCode.SessionNotOpen, "The online session has not started.");
        }

        return await AttendAsync(citizenId, report.Session, CheckInMethod.OnlineStudy, null, now);
    }

    public async Task<Result<CompletionReport>> RecordResultAsync(AssessmentReport report)
    {
        var (notEnrolled, citizenId) = await ConfirmedTraineeAsync(report?.CitizenId);
        if (notEnrolled is not null)
        {
            return Result<CompletionReport>.From(notEnrolled);
        }

        var state = _definition.State;
        var institution = state.InstitutionId!;
        var partner = state.OnlinePartnerId;

        // R15: the online part is reported by the online platform, the rest by the class's institution.
        var reporterRuns = report!.Part switch
        {
            TrainingPart.Whole => partner is null && report.ReporterInstitutionId == institution,
            TrainingPart.Offline => partner is not null && report.ReporterInstitutionId == institution,
            TrainingPart.Online => partner is not null && report.ReporterInstitutionId == partner,
            _ => false,
        };
        if (!reporterRuns)
        {
            return Result<CompletionReport>.Reject(RejectionCode.NotTrainingParty, $"The institution does not run the {report.Part} part of this class.");
        }

        if (report.CertificateNumber is { Length: 0 or > 64 })
        {
            return Result<CompletionReport>.Reject(RejectionCode.InvalidRequest, "A certificate number is 1 to 64 characters.");
        }

        var now = _services.Now;
        return await CommitAsync<CompletionReport>(async transaction =>
        {
            if (await TraineeAsync(citizenId) is not { } record)
            {
                return Result<CompletionReport>.From(NotEnrolled());
            }

            if (record.IsBusy)
            {
                return Attempts.Busy<CompletionReport>();
            }

            if (record.State.Completed)
            {
                return Result<CompletionReport>.Reject(RejectionCode.AlreadyUsed, "The trainee's training is completed already.");
            }

            var trainee = record.Draft();
            trainee.Results.RemoveAll(r => r.Part == report.Part);
            trainee.Results.Add(new PartResult { Part = report.Part, Passed = report.Passed, CertificateNumber = report.CertificateNumber });
            var attendance = Attendance(state, trainee, citizenId);
            var pending = Pending(state, trainee, out var certificate);
            var recorded = new ResultRecorded
            {
                At = now,
                ClassKey = Key,
                CitizenId = citizenId,
                VoucherCode = trainee.VoucherCode,
                Part = report.Part,
                Passed = report.Passed,
                CertificateNumber = report.CertificateNumber,
            };
            transaction.Publish(recorded, citizenId, Streams.Class(Key), Streams.Worker(citizenId));

            if (pending is null)
            {
                var voucher = GrainFactory.GetGrain<IVoucherParticipant>(trainee.VoucherCode);
                var vote = await transaction.PrepareAsync(voucher.PrepareCompletionAsync(transaction.Id, new CompletionRequest(
                    Key, institution, partner, certificate!, attendance.RatePercent, OnlineMinutes(state), attendance.TotalMinutes, now)), voucher.CompleteAsync);
                if (vote.HasWrite)
                {
                    var facts = vote.Value.Value!;
                    var worker = GrainFactory.GetGrain<IWorkerParticipant>(citizenId);
                    var workerVote = await transaction.PrepareAsync(worker.PrepareChangeAsync(transaction.Id, new HeldChange(trainee.VoucherCode, VoucherStatus.Completed, null)), worker.CompleteAsync);

                    if (!workerVote.Value.IsSuccess)
                    {
                        return Result<CompletionReport>.From(workerVote.Value);
                    }

                    trainee.Completed = true;
                    transaction.Publish(new VoucherCompleted
                    {
                        At = now,
                        Code = trainee.VoucherCode,
                        CampaignId = facts.CampaignId,
                        CitizenId = citizenId,
                        From = VoucherStatus.Activated,
                        To = VoucherStatus.Completed,
                        DeadlineBefore = facts.DeadlineBefore,
                        ClassKey = Key,
                        CertificateNumber = certificate!,
                        AttendancePercent = attendance.RatePercent,
                    });
                }
                else if (vote.Value.Rejection == RejectionCode.ConcurrentOperation)
                {
                    return Result<CompletionReport>.From(vote.Value.ToResult());
                }
                else
                {
                    // The result stands; the voucher cannot complete (attendance below the threshold, expired, revoked).
                    pending = $"{vote.Value.Rejection}: {vote.Value.Detail}";
                }
            }

            transaction.EnlistSelf(record, trainee);
            return Result<CompletionReport>.Ok(new CompletionReport(trainee.VoucherCode, trainee.Completed, pending, attendance.RatePercent));
        });
    }

    public async Task<Result<AttendanceView>> GetAttendanceAsync(string citizenId)
    {
        var (notEnrolled, id) = await ConfirmedTraineeAsync(citizenId);
        if (notEnrolled is not null)
        {
            return Result<AttendanceView>.From(notEnrolled);
        }

        return await TraineeAsync(id) is { } record
            ? Result<AttendanceView>.Ok(Attendance(_definition.State, record.State, id))
            : Result<AttendanceView>.From(NotEnrolled());
    }

    public Task<IReadOnlyList<Anomaly>> GetAnomaliesAsync()
    {
        var state = _definition.State;
        var now = _services.Now;
        var anomalies = new List<Anomaly>(_counters.State.Flags);

        // R13: a scheduled offline session that ended without a single check-in.
        var attended = _counters.State.AttendedSessions;
        for (var i = 0; i < state.Sessions.Count; i++)
        {
            if (state.Sessions[i] is { Mode: SessionMode.Offline } session && session.End <= now && !attended.Contains(i))
            {
                anomalies.Add(new Anomaly(AnomalyKind.SessionWithoutCheckIns, i, null, session.End, null));
            }
        }

        return Task.FromResult<IReadOnlyList<Anomaly>>([.. anomalies.OrderBy(a => a.At)]);
    }

    public Task<Result> RateCourseAsync(Evaluation evaluation) => RateAsync(evaluation, byTrainee: true);

    public Task<Result> RateTraineeAsync(Evaluation evaluation) => RateAsync(evaluation, byTrainee: false);

    /// <summary>
    /// Writes the class's definition and its first counters in one unit: the definition is not written
    /// again. Of two creations of one class (in two engines) the second loses its version check and is
    /// refused as the creation of a class that exists.
    /// </summary>
    public async Task<Result> CreateAsync(ClassDefinition definition)
    {
        if (_definition.State.InstitutionId is not null)
        {
            return Result.Reject(RejectionCode.AlreadyExists, $"Class {Key} exists.");
        }

        var draft = new ClassState
        {
            InstitutionId = definition.InstitutionId,
            OccupationCode = definition.OccupationCode,
            Level = definition.Level,
            Sessions = [.. definition.Sessions.OrderBy(s => s.Start)],
            OnlinePartnerId = definition.OnlinePartnerId,
            Site = definition.Site,
            SiteRadiusMetres = definition.SiteRadiusMetres,
            Capacity = definition.Capacity,
            TokenKey = definition.TokenKey,
        };
        var registered = new ClassRegistered { At = _services.Now, ClassKey = Key, OccupationCode = definition.OccupationCode, StartsAt = draft.Sessions[0].Start };
        await using var transaction = new TransactionCoordinator(_services.Storage);
        transaction.EnlistSelf(_definition, draft);
        transaction.EnlistSelf(_counters, new ClassCounters());
        transaction.Publish(registered, Key, Streams.Institution(definition.InstitutionId), Streams.Class(Key));
        return await transaction.CommitAsync() ? Result.Ok : Result.Reject(RejectionCode.AlreadyExists, $"Class {Key} exists.");
    }

    public async Task<Prepared<Result>> PrepareEnrolmentAsync(TransactionId transaction, Enrolment enrolment)
    {
        if (await ConfirmedEnrolmentRejectionAsync(enrolment.CitizenId) is { } rejection)
        {
            return new Prepared<Result>(null, rejection);
        }

        if (_counters.IsBusy)
        {
            return new Prepared<Result>(null, Attempts.Busy());
        }

        // The enrolment takes the next ordinal: a slot in one roster page and a record never written
        // before. The class's counters count it, so that of two enrolments prepared on one version (here
        // or in another activation) at most one commits, and the capacity holds (R11).
        var citizenId = enrolment.CitizenId;
        var ordinal = _counters.State.NextOrdinal;
        var page = await PageAsync(ordinal);
        if (page.IsBusy)
        {
            return new Prepared<Result>(null, Attempts.Busy());
        }

        var draft = _counters.Draft();
        draft.Enrolled++;
        draft.NextOrdinal++;
        var pageDraft = new RosterPage { Trainees = [.. page.State.Trainees] };
        var slot = (int)(ordinal % RosterPage.Size);
        while (pageDraft.Trainees.Count <= slot)
        {
            pageDraft.Trainees.Add(null);
        }

        pageDraft.Trainees[slot] = citizenId;
        var trainee = NewRecord<TraineeState>(TraineeKeyOf(Key, citizenId, ordinal));
        StateWrite[] writes =
        [
            _counters.Prepare(transaction, draft),
            page.Prepare(transaction, pageDraft),
            trainee.Prepare(transaction, new TraineeState { VoucherCode = enrolment.VoucherCode, CampaignId = enrolment.CampaignId }),
        ];
        _pendingChange = new PendingChange(transaction, [page.Complete, trainee.Complete], () =>
        {
            _roster[citizenId] = ordinal;
            _trainees[citizenId] = trainee;
        });
        return Prepared<Result>.Of(writes, Result.Ok);
    }

    public async Task<EnrolmentCheck> CheckEnrolmentAsync(string citizenId)
    {
        var state = _definition.State;
        if (state.InstitutionId is null)
        {
            return new EnrolmentCheck(null, Result.Reject(RejectionCode.ClassNotFound, $"No class {Key}."));
        }

        // The definition is written once, so its facts are worked out once per activation.
        _facts ??= new ClassFacts(state.OccupationCode, state.Level, SessionPlan.FirstStart(state.Sessions), OnlineMinutes(state), state.Sessions.Sum(Minutes));
        return new EnrolmentCheck(_facts, await ConfirmedEnrolmentRejectionAsync(citizenId) ?? Result.Ok);
    }

    /// <summary>
    /// <see cref="EnrolmentRejection"/>, confirmed on the store when the roster or the count refuses: this
    /// activation may have read the class before a rollback through another engine withdrew the trainee or
    /// freed a seat, and a verification must not be refused for it. Only such refusals pay the read.
    /// </summary>
    private async Task<Result?> ConfirmedEnrolmentRejectionAsync(string citizenId)
    {
        var rejection = EnrolmentRejection(citizenId);
        if (rejection is not { Rejection: RejectionCode.AlreadyExists or RejectionCode.ClassFull } || _counters.IsBusy)
        {
            return rejection;
        }

        await ReloadAsync();
        return EnrolmentRejection(citizenId);
    }

    /// <summary>Why the committed state refuses the worker's enrolment, or null.</summary>
    private Result? EnrolmentRejection(string citizenId)
    {
        var state = _definition.State;
        if (state.InstitutionId is null)
        {
            return Result.Reject(RejectionCode.ClassNotFound, $"No class {Key}.");
        }

        if (_roster.ContainsKey(citizenId))
        {
            return Result.Reject(RejectionCode.AlreadyExists, "The worker is enrolled in this class already.");
        }

        if (state.Capacity is { } capacity && _counters.State.Enrolled >= capacity)
        {
            return Result.Reject(RejectionCode.ClassFull, $"The class is full ({capacity}).");
        }

        return null;
    }

    public async Task<Prepared<Result>> PrepareWithdrawalAsync(TransactionId transaction, string citizenId, string voucherCode)
    {
        if (_counters.IsBusy)
        {
            return new Prepared<Result>(null, Attempts.Busy());
        }

        // The voucher is activated for this class, and its enrolment was written in the same unit: an
        // activation that finds none read the class before the enrolment was made through another engine.
        // It reads the class again rather than withdraw nothing, which would leave the trainee enrolled.
        var trainee = await EnrolmentAsync(citizenId, voucherCode);
        if (trainee is null)
        {
            await ReloadAsync();
            trainee = await EnrolmentAsync(citizenId, voucherCode);
        }

        if (trainee is null)
        {
            // Not enrolled with this voucher: nothing of the class to change.
            return new Prepared<Result>(null, Result.Ok);
        }

        // R13, R18: check-in opens before the class starts, so a trainee may have checked in (or been
        // assessed or rated) before a rollback is asked for. That record is evidence of training taken
        // under the voucher and counts for the class (its sessions with check-ins); the enrolment stands.
        if (trainee.State.HasTrainingRecord())
        {
            return new Prepared<Result>(null, Result.Reject(RejectionCode.ClassStarted, "The trainee has checked in or been assessed already; the enrolment can no longer be rolled back."));
        }

        var ordinal = _roster[citizenId];
        var page = await PageAsync(ordinal);
        if (trainee.IsBusy || page.IsBusy)
        {
            return new Prepared<Result>(null, Attempts.Busy());
        }

        var draft = _counters.Draft();
        draft.Enrolled--;
        var pageDraft = new RosterPage { Trainees = [.. page.State.Trainees] };
        pageDraft.Trainees[(int)(ordinal % RosterPage.Size)] = null;
        StateWrite[] writes = [_counters.Prepare(transaction, draft), page.Prepare(transaction, pageDraft), trainee.Prepare(transaction, null)];
        _pendingChange = new PendingChange(transaction, [page.Complete, trainee.Complete], () =>
        {
            _roster.Remove(citizenId);
            _trainees.Remove(citizenId);
        });
        return Prepared<Result>.Of(writes, Result.Ok);
    }

    /// <summary>The record of the trainee's enrolment with <paramref name="voucherCode"/>, or null when this activation knows of none.</summary>
    private async Task<TransactionalRecord<TraineeState>?> EnrolmentAsync(string citizenId, string voucherCode) =>
        await TraineeAsync(citizenId) is { } trainee && trainee.State.VoucherCode == voucherCode ? trainee : null;

    public Task CompleteAsync(TransactionOutcome outcome)
    {
        _counters.Complete(outcome);
        if (_pendingChange is { } change && change.Transaction == outcome.Transaction)
        {
            _pendingChange = null;
            foreach (var complete in change.Records)
            {
                complete(outcome);
            }

            if (outcome.Status == TransactionStatus.Committed)
            {
                change.Committed();
            }
        }

        return Task.CompletedTask;
    }

    private async Task<Result> RateAsync(Evaluation evaluation, bool byTrainee)
    {
        var (notEnrolled, citizenId) = await ConfirmedTraineeAsync(evaluation?.CitizenId);
        if (notEnrolled is not null)
        {
            return notEnrolled;
        }

        if (evaluation!.Score is < 1 or > 5 || evaluation.Comment is { Length: > 500 })
        {
            return Result.Reject(RejectionCode.InvalidRequest, "A score is 1 to 5, a comment at most 500 characters.");
        }

        var rated = await CommitAsync<bool>(async transaction =>
        {
            if (await TraineeAsync(citizenId) is not { } record)
            {
                return Result<bool>.From(NotEnrolled());
            }

            if (byTrainee && !record.State.Completed && !record.IsBusy)
            {
                // This activation may have read the trainee before the completion through another engine.
                await record.ReadAsync();
            }

            if (byTrainee && !record.State.Completed)
            {
                return Result<bool>.Reject(RejectionCode.NotCompleted, "A course is rated after completing it.");
            }

            if (record.IsBusy)
            {
                return Attempts.Busy<bool>();
            }

            var trainee = record.Draft();
            if (byTrainee)
            {
                trainee.CourseScore = evaluation.Score;
            }
            else
            {
                trainee.TraineeScore = evaluation.Score;
            }

            transaction.EnlistSelf(record, trainee);
            var submitted = new EvaluationSubmitted { At = _services.Now, ClassKey = Key, CitizenId = citizenId, ByTrainee = byTrainee, Score = evaluation.Score, Comment = evaluation.Comment };
            Publish(transaction, submitted, citizenId);
            if (byTrainee && record.State.CourseScore is null)
            {
                // R19: the evaluation completion rate is a campaign indicator: a trainee who rates the course
                // again changes the score, not the number of trainees who evaluated it.
                transaction.Publish(EventSerializer.ToStream(Streams.Campaign(trainee.CampaignId), trainee.VoucherCode, submitted));
            }

            return Result<bool>.Ok(true);
        });
        return rated.ToResult();
    }

    /// <summary>R14: attended minutes over all minutes.</summary>
    private static AttendanceView Attendance(ClassState state, TraineeState trainee, string citizenId)
    {
        var total = state.Sessions.Sum(Minutes);
        var attended = trainee.Attended.Where(i => i < state.Sessions.Count).Sum(i => Minutes(state.Sessions[i]));
        var rate = total == 0 ? 0 : (int)(attended * 100 / total);
        return new AttendanceView(citizenId, [.. trainee.Attended.Order()], attended, total, rate);
    }

    /// <summary>What completion still waits for, or null; the certificate when complete.</summary>
    private static string? Pending(ClassState state, TraineeState trainee, out string? certificate)
    {
        TrainingPart[] parts = state.OnlinePartnerId is null ? [TrainingPart.Whole] : [TrainingPart.Online, TrainingPart.Offline];
        certificate = trainee.Results.Where(r => r.Part != TrainingPart.Online && r.Passed).Select(r => r.CertificateNumber).FirstOrDefault(c => c is not null);
        var missing = parts.Where(p => !trainee.Results.Any(r => r.Part == p && r.Passed)).ToList();
        if (missing.Count > 0)
        {
            return $"{string.Join(" and ", missing)} part not passed";
        }

        return certificate is null ? "no certificate recorded" : null;
    }

    private static long Minutes(SessionPlan session) => (long)(session.End - session.Start).TotalMinutes;

    /// <summary>Adds a trainee's event to the unit: on the class's stream and on the trainee's.</summary>
    private void Publish(TransactionCoordinator transaction, DomainEvent domainEvent, string citizenId)
    {
        transaction.Publish(EventSerializer.ToStream(Streams.Class(Key), citizenId, domainEvent));
        transaction.Publish(EventSerializer.ToStream(Streams.Worker(citizenId), Key, domainEvent));
    }

    private static long OnlineMinutes(ClassState state) => state.Sessions.Where(s => s.Mode == SessionMode.Online).Sum(Minutes);

    private static Result NotEnrolled() => Result.Reject(RejectionCode.NotEnrolled, "The worker is not enrolled in this class.");

    /// <summary>
    /// <see cref="Trainee"/>, confirmed on the store when the worker is not on this activation's roster: it
    /// may have read the class before the worker's enrolment through another engine, and the trainee must not
    /// be turned away for it (R13). Only a worker not found pays the read.
    /// </summary>
    private async Task<(Result? Rejection, string Id)> ConfirmedTraineeAsync(string? citizenId)
    {
        var rejection = Trainee(citizenId, out var id);
        if (rejection is { Rejection: RejectionCode.NotEnrolled } && !_counters.IsBusy)
        {
            await ReloadAsync();
            rejection = Trainee(citizenId, out id);
        }

        return (rejection, id);
    }

    private Result? Trainee(string? citizenId, out string id)
    {
        id = "";
        if (_definition.State.InstitutionId is null)
        {
            return Result.Reject(RejectionCode.ClassNotFound, $"No class {Key}.");
        }

        if (!CitizenId.TryParse(citizenId, ChinaTime.DateOf(_services.Now), out id))
        {
            return Result.Reject(RejectionCode.InvalidCitizenId, "The trainee's citizen id is not valid.");
        }

        return _roster.ContainsKey(id) ? null : NotEnrolled();
    }

    private ClassView View()
    {
        var state = _definition.State;
        return new(
            Key,
            state.InstitutionId!,
            state.OccupationCode,
            state.Level,
            [.. state.Sessions],
            state.OnlinePartnerId,
            state.Site,
            state.SiteRadiusMetres,
            state.Capacity,
            [.. _roster.Keys]);
    }
}
