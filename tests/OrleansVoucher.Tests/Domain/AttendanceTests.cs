using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Classes, check-in and attendance (R13–R15).</summary>
public abstract class AttendanceTests : DomainTestBase
{
    private static readonly GeoPoint s_nearby = new(26.0760, 119.2965);
    private static readonly GeoPoint s_acrossTown = new(26.0950, 119.2965);
    private static readonly GeoPoint s_beijing = new(39.9042, 116.4074);

    [Fact]
    public async Task R13_a_location_check_in_inside_the_site_radius_counts_and_one_outside_is_refused()
    {
        var (classKey, worker, _) = await EnrolledAsync();
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Given.AdvanceTo((await schoolClass.GetAsync())!.Sessions[0].Start.AddMinutes(-10));

        Rejected(RejectionCode.OutsideSiteRadius, await schoolClass.CheckInAsync(new CheckInRequest(worker, 0, s_acrossTown)));
        var receipt = (await schoolClass.CheckInAsync(new CheckInRequest(worker, 0, s_nearby))).GetValueOrThrow();

        Assert.Equal(CheckInMethod.Location, receipt.Method);
        Assert.Empty(receipt.Flags);
        Assert.Equal([0], (await schoolClass.GetAttendanceAsync(worker)).GetValueOrThrow().AttendedSessions);
    }

    [Fact]
    public async Task R13_the_institutions_signed_QR_code_is_the_fallback_and_forged_or_expired_codes_are_refused()
    {
        var (classKey, worker, _) = await EnrolledAsync();
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Given.AdvanceTo((await schoolClass.GetAsync())!.Sessions[1].Start);

        Rejected(RejectionCode.InvalidRequest, await institution.IssueCheckInTokenAsync("C1", 1, TimeSpan.FromHours(1)));
        var token = (await institution.IssueCheckInTokenAsync("C1", 1, TimeSpan.FromMinutes(5))).GetValueOrThrow().Token;
        var forged = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        var otherSession = (await institution.IssueCheckInTokenAsync("C1", 2, TimeSpan.FromMinutes(5))).GetValueOrThrow().Token;
        var otherInstitution = await Given.InstitutionAsync("SCHOOL2");
        await Given.ClassAsync(otherInstitution, "C1");
        var foreign = (await Grains.GetGrain<IInstitutionGrain>(otherInstitution).IssueCheckInTokenAsync("C1", 1, TimeSpan.FromMinutes(5))).GetValueOrThrow().Token;

        Rejected(RejectionCode.InvalidCheckInToken, await schoolClass.CheckInAsync(new CheckInRequest(worker, 1, s_acrossTown, forged)));
        Rejected(RejectionCode.InvalidCheckInToken, await schoolClass.CheckInAsync(new CheckInRequest(worker, 1, Token: otherSession)));
        Rejected(RejectionCode.InvalidCheckInToken, await schoolClass.CheckInAsync(new CheckInRequest(worker, 1, Token: foreign)));
        var receipt = (await schoolClass.CheckInAsync(new CheckInRequest(worker, 1, s_acrossTown, token))).GetValueOrThrow();
        Assert.Equal(CheckInMethod.QrToken, receipt.Method);
        Assert.Equal([AnomalyKind.OutsideRadius], receipt.Flags);

        Given.Advance(TimeSpan.FromMinutes(6));
        var late = await Given.WorkerAsync(2);
        Rejected(RejectionCode.NotEnrolled, await schoolClass.CheckInAsync(new CheckInRequest(late, 1, Token: token)));
        Rejected(RejectionCode.InvalidCheckInToken, await schoolClass.CheckInAsync(new CheckInRequest(worker, 1, Token: token)));
    }

    [Fact]
    public async Task R13_check_ins_are_taken_only_while_the_session_is_open()
    {
        var (classKey, worker, _) = await EnrolledAsync();
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        var session = (await schoolClass.GetAsync())!.Sessions[0];

        Given.AdvanceTo(session.Start.AddMinutes(-31));
        Rejected(RejectionCode.SessionNotOpen, await schoolClass.CheckInAsync(new CheckInRequest(worker, 0, Site)));
        Rejected(RejectionCode.SessionNotOpen, await schoolClass.CheckInAsync(new CheckInRequest(worker, 9, Site)));
        Given.AdvanceTo(session.End.AddMinutes(1));
        Rejected(RejectionCode.SessionNotOpen, await schoolClass.CheckInAsync(new CheckInRequest(worker, 0, Site)));
    }

    [Fact]
    public async Task R13_sessions_without_check_ins_repeats_and_impossible_positions_are_flagged()
    {
        var (classKey, worker, _) = await EnrolledAsync();
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        var sessions = (await schoolClass.GetAsync())!.Sessions;
        Given.AdvanceTo(sessions[1].Start);
        Ok(await schoolClass.CheckInAsync(new CheckInRequest(worker, 1, Site)));
        var repeat = (await schoolClass.CheckInAsync(new CheckInRequest(worker, 1, Site))).GetValueOrThrow();
        Given.AdvanceTo(sessions[2].Start);
        var token = (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").IssueCheckInTokenAsync("C1", 2, TimeSpan.FromMinutes(5))).GetValueOrThrow().Token;
        var forwarded = (await schoolClass.CheckInAsync(new CheckInRequest(worker, 2, s_beijing, token))).GetValueOrThrow();
        Given.AdvanceTo(sessions[2].End);

        Assert.Equal([AnomalyKind.RepeatedCheckIn], repeat.Flags);
        Assert.Contains(AnomalyKind.ImpossiblePosition, forwarded.Flags);
        var anomalies = await schoolClass.GetAnomaliesAsync();
        Assert.Contains(anomalies, a => a is { Kind: AnomalyKind.SessionWithoutCheckIns, Session: 0 });
        Assert.DoesNotContain(anomalies, a => a is { Kind: AnomalyKind.SessionWithoutCheckIns, Session: 1 or 2 });
        Assert.Contains(anomalies, a => a is { Kind: AnomalyKind.RepeatedCheckIn, Session: 1 } && a.CitizenId == worker);
        Assert.Contains(anomalies, a => a is { Kind: AnomalyKind.ImpossiblePosition, Session: 2 });

        // A repeat is not counted twice.
        Assert.Equal([1, 2], (await schoolClass.GetAttendanceAsync(worker)).GetValueOrThrow().AttendedSessions);
    }

    [Fact]
    public async Task R14_attendance_below_the_threshold_records_the_result_but_does_not_complete_the_voucher()
    {
        var (classKey, worker, code) = await EnrolledAsync();
        await Given.AttendAllAsync(classKey, worker, onlyFirst: 2);

        var report = (await Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-1"))).GetValueOrThrow();

        Assert.False(report.Completed);
        Assert.Equal(40, report.AttendancePercent);
        Assert.Contains(nameof(RejectionCode.AttendanceBelowThreshold), report.Pending, StringComparison.Ordinal);
        Assert.Equal(VoucherStatus.Activated, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R14_attendance_at_the_threshold_with_a_passed_assessment_and_certificate_completes_the_voucher()
    {
        var (classKey, worker, code) = await EnrolledAsync();
        await Given.AttendAllAsync(classKey, worker, onlyFirst: 3);
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);

        var failed = (await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, false, null))).GetValueOrThrow();
        var noCertificate = (await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, null))).GetValueOrThrow();
        var passed = (await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-1"))).GetValueOrThrow();

        Assert.False(failed.Completed);
        Assert.False(noCertificate.Completed);
        Assert.True(passed.Completed);
        Assert.Equal(60, passed.AttendancePercent);
        var voucher = await Given.VoucherAsync(code);
        Assert.Equal(VoucherStatus.Completed, voucher.Status);
        Assert.Equal("CERT-1", voucher.CertificateNumber);
        Assert.Null(voucher.Deadline);
        Assert.Empty((await Given.WorkerViewAsync(worker)).Vouchers);
        Rejected(RejectionCode.AlreadyUsed, await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-2")));
    }

    [Fact]
    public async Task R14_online_hours_above_the_cap_are_refused_and_the_cap_is_a_policy_setting()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");

        Rejected(RejectionCode.OnlineShareExceeded, await institution.RegisterClassAsync(new ClassRegistration("C1", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(7), offline: 3, online: 3))));
        Ok(await institution.RegisterClassAsync(new ClassRegistration("C2", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(7), offline: 3, online: 2))));

        // Fujian's 2021 measures let knowledge-skill occupations train fully online; operation-skill ones never.
        Ok(await Grains.GetGrain<IRegionGrain>(Fujian).SetPolicyAsync(RegionPolicy.Fujian with { OnlineShareCapPercent = 100 }));
        Ok(await institution.RegisterClassAsync(new ClassRegistration("C3", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(7), offline: 0, online: 4))));
        Rejected(RejectionCode.OfflinePracticeRequired, await institution.RegisterClassAsync(new ClassRegistration("C4", Nursery, null, Given.Sessions(TimeSpan.FromDays(7), offline: 0, online: 4))));
    }

    [Fact]
    public async Task R14_a_voucher_is_used_only_for_a_class_within_the_online_share_of_the_policy_it_was_issued_under()
    {
        // The province lets knowledge-skill classes run fully online; one campaign keeps the 40% cap.
        await Given.RegionAsync(Fujian, RegionPolicy.Fujian with { OnlineShareCapPercent = 100 });
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("open", General(Fujian));
        await Given.CampaignAsync("strict", General(Fujian) with { PolicyOverride = RegionPolicy.Fujian });
        var strictHolder = await Given.WorkerAsync(1);
        var strict = await Given.ClaimAsync("strict", strictHolder);
        var openHolder = await Given.WorkerAsync(2);
        var open = await Given.ClaimAsync("open", openHolder);
        await Given.ClassAsync("SCHOOL1", "ONLINE", Ecommerce, offline: 0, online: 4);
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");

        Assert.Equal(RejectionCode.OnlineShareExceeded, (await institution.CheckVoucherAsync(new VerificationRequest(strict, strictHolder, "ONLINE"))).Rejection);
        Rejected(RejectionCode.OnlineShareExceeded, await Given.TryVerifyAsync("SCHOOL1", strict, strictHolder, "ONLINE"));
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(strict)).Status);
        await Given.VerifyAsync("SCHOOL1", open, openHolder, "ONLINE");
    }

    [Fact]
    public async Task R15_an_online_partner_teaches_only_an_occupation_it_is_listed_for()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.InstitutionAsync("ONLINE1", onlinePlatform: true, occupations: [Ecommerce]);
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        var registration = new ClassRegistration("N1", Nursery, null, Given.Sessions(TimeSpan.FromDays(7), offline: 4, online: 2), "ONLINE1");

        Rejected(RejectionCode.OccupationNotAllowed, await institution.RegisterClassAsync(registration));
        await Given.InstitutionAsync("ONLINE1", onlinePlatform: true, occupations: [Ecommerce, Nursery]);
        Ok(await institution.RegisterClassAsync(registration));
    }

    [Fact]
    public async Task R15_with_an_online_partner_both_parts_must_pass_each_reported_by_its_own_institution()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        await Given.InstitutionAsync("ONLINE1", onlinePlatform: true);
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("general", worker);
        var classKey = await Given.ClassAsync("SCHOOL1", "N1", Nursery, offline: 4, online: 2, onlinePartner: "ONLINE1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "N1");
        await Given.AttendAllAsync(classKey, worker);
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);

        Rejected(RejectionCode.NotTrainingParty, await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Online, true, null)));
        Rejected(RejectionCode.NotTrainingParty, await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-1")));
        var offline = (await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Offline, true, "CERT-1"))).GetValueOrThrow();
        Assert.False(offline.Completed);
        Assert.Contains("Online", offline.Pending, StringComparison.Ordinal);
        var online = (await schoolClass.RecordResultAsync(new AssessmentReport("ONLINE1", worker, TrainingPart.Online, true, null))).GetValueOrThrow();

        Assert.True(online.Completed);
        Assert.Equal(VoucherStatus.Completed, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R15_online_sessions_are_reported_by_the_platform_that_teaches_them()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        await Given.InstitutionAsync("ONLINE1", onlinePlatform: true);
        await Given.InstitutionAsync("SCHOOL2");
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("general", worker);
        var classKey = await Given.ClassAsync("SCHOOL1", "N1", Nursery, offline: 4, online: 2, onlinePartner: "ONLINE1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "N1");
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Given.AdvanceTo((await schoolClass.GetAsync())!.Sessions[4].Start);

        Rejected(RejectionCode.NotTrainingParty, await schoolClass.RecordOnlineStudyAsync(new OnlineStudyReport("SCHOOL1", worker, 4)));
        Rejected(RejectionCode.WrongCheckInMethod, await schoolClass.RecordOnlineStudyAsync(new OnlineStudyReport("ONLINE1", worker, 0)));
        Rejected(RejectionCode.WrongCheckInMethod, await schoolClass.CheckInAsync(new CheckInRequest(worker, 4, Site)));
        Assert.Equal(CheckInMethod.OnlineStudy, (await schoolClass.RecordOnlineStudyAsync(new OnlineStudyReport("ONLINE1", worker, 4))).GetValueOrThrow().Method);
        Rejected(RejectionCode.InvalidRequest, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RegisterClassAsync(
            new ClassRegistration("N2", Nursery, null, Given.Sessions(TimeSpan.FromDays(7), 4, 2), OnlinePartnerId: "SCHOOL2")));
    }

    private async Task<(string ClassKey, string Worker, string Code)> EnrolledAsync()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("general", worker);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        return (classKey, worker, code);
    }
}

public sealed class AttendanceTestsOnMemory : AttendanceTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class AttendanceTestsOnPostgreSql(PostgresFixture fixture) : AttendanceTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
