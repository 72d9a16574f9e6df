using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Settlement and write-off (R4, R15–R18).</summary>
public abstract class SettlementTests : DomainTestBase
{
    [Fact]
    public async Task R16_the_amount_is_the_standard_times_the_ratio_capped_by_the_face_value()
    {
        await SetUpAsync();
        await Given.CampaignAsync("face", General(Fujian, faceValueFen: 50_000));
        await Given.CampaignAsync("rich", General(Fujian, faceValueFen: 200_000) with { SubsidyRatioPercent = 80 });
        var capped = await Given.CompletedAsync("face", await Given.WorkerAsync(1), "C1");
        var ratio = await Given.CompletedAsync("rich", await Given.WorkerAsync(2), "C2");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");

        var cappedClaim = (await institution.ClaimSettlementAsync(new SettlementRequest(capped, TrainingPart.Whole))).GetValueOrThrow();
        var ratioClaim = (await institution.ClaimSettlementAsync(new SettlementRequest(ratio, TrainingPart.Whole))).GetValueOrThrow();

        // 电子商务师's standard is 800 yuan: capped at the 500-yuan face value, or 80% of it.
        Assert.Equal(50_000, cappedClaim.AmountFen);
        Assert.Equal(64_000, ratioClaim.AmountFen);
        Assert.Equal(SettlementStatus.Claimed, cappedClaim.Status);
    }

    [Fact]
    public async Task R16_a_named_group_gets_the_catalogue_uplift_within_the_credit_reserve()
    {
        await SetUpAsync();
        await Given.CampaignAsync("directed", Directed(Fujian, Nursery));
        var rural = await Given.WorkerAsync(1, new WorkerAttributes { Categories = ["LowIncomeRural"] });
        var roster = Grains.GetGrain<IRosterGrain>("directed/1");
        Ok(await roster.SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(rural, Nursery, SkillLevel.Elementary)])));
        var code = (await roster.ApproveAsync()).GetValueOrThrow().Outcomes.Single().VoucherCode!;
        Ok(await Grains.GetGrain<IVoucherGrain>(code).ClaimAsync(rural));
        var classKey = await Given.ClassAsync("SCHOOL1", "N1", Nursery, level: SkillLevel.Elementary);
        await Given.VerifyAsync("SCHOOL1", code, rural, "N1");
        await Given.AttendAllAsync(classKey, rural);
        Ok(await Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", rural, TrainingPart.Whole, true, "CERT-N1")));

        var claim = (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole))).GetValueOrThrow();

        // 1,500 yuan for the elementary level, +20% for a low-income rural worker, within the 2,000-yuan reserve.
        Assert.Equal(180_000, claim.AmountFen);
    }

    [Fact]
    public async Task R16_a_voucher_naming_no_level_is_paid_the_standard_of_the_level_its_class_trains()
    {
        await SetUpAsync();

        // 育婴员 at the intermediate level is 2,000 yuan; without a level it would be 1,000.
        Assert.Equal(200_000, await NurseryClaimAsync(SkillLevel.Intermediate));
    }

    [Fact]
    public async Task R16_training_enrolled_under_the_catalogue_is_paid_its_standard_when_the_occupation_leaves_it_before_completion()
    {
        await SetUpAsync();

        // The yearly adjustment drops the occupation while the class runs: no new enrolment, but this one was made.
        var amount = await NurseryClaimAsync(
            SkillLevel.Elementary,
            new WorkerAttributes { Categories = ["LowIncomeRural"] },
            async () => Ok(await Grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(Fujian, Year)).RemoveAsync(Nursery)));

        // 1,500 yuan for the elementary level, +20% for a low-income rural worker, as when the trainee enrolled.
        Assert.Equal(180_000, amount);
    }

    [Fact]
    public async Task R16_the_authority_approves_or_rejects_with_a_reason_and_a_rejected_claim_may_be_made_again()
    {
        await SetUpAsync();
        await Given.CampaignAsync("face", General(Fujian));
        var code = await Given.CompletedAsync("face", await Given.WorkerAsync(1), "C1");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        var voucher = Grains.GetGrain<IVoucherGrain>(code);

        Rejected(RejectionCode.SettlementNotClaimed, await institution.ApproveSettlementAsync(code, TrainingPart.Whole));
        Ok(await institution.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Rejected(RejectionCode.SettlementAlreadyClaimed, await institution.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Rejected(RejectionCode.InvalidRequest, await voucher.RejectSettlementAsync(TrainingPart.Whole, ""));
        var rejected = (await voucher.RejectSettlementAsync(TrainingPart.Whole, "certificate not found in the registry")).GetValueOrThrow();
        Assert.Equal(SettlementStatus.Rejected, rejected.Status);
        Assert.Equal("certificate not found in the registry", (await Given.VoucherAsync(code)).Settlement.Single().Reason);

        Ok(await institution.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole, PaymentTarget.Individual)));
        var approved = (await institution.ApproveSettlementAsync(code, TrainingPart.Whole)).GetValueOrThrow();

        Assert.Equal(SettlementStatus.Approved, approved.Status);
        Assert.Equal(PaymentTarget.Individual, approved.PaymentTarget);
        var view = await Given.VoucherAsync(code);
        Assert.Equal(VoucherStatus.Settled, view.Status);
        var statistics = await Grains.GetGrain<ICampaignStatisticsGrain>("face").GetAsync();
        Assert.Equal(1, statistics.Settled);
        Assert.Equal(50_000, statistics.SettledAmountFen);
        Assert.Equal(0, statistics.PendingSettlementFen);
    }

    [Fact]
    public async Task R17_a_settled_code_is_invalid_for_good()
    {
        await SetUpAsync();
        await Given.CampaignAsync("face", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.CompletedAsync("face", worker, "C1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole));
        await Given.ClassAsync("SCHOOL1", "C9");

        Rejected(RejectionCode.VoucherSettled, await Given.TryVerifyAsync("SCHOOL1", code, worker, "C9"));
        Rejected(RejectionCode.VoucherSettled, await Grains.GetGrain<IVoucherGrain>(code).RevokeAsync("audit"));
        Rejected(RejectionCode.VoucherSettled, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Rejected(RejectionCode.VoucherSettled, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole));
        Rejected(RejectionCode.VoucherSettled, await Grains.GetGrain<IVoucherGrain>(code).ClaimAsync(worker));
        Given.Advance(TimeSpan.FromDays(400));
        Assert.Equal(VoucherStatus.Settled, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R18_nothing_is_paid_for_training_that_is_not_completed()
    {
        await SetUpAsync();
        await Given.CampaignAsync("face", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("face", worker);
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");

        Rejected(RejectionCode.NotCompleted, await institution.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        await Given.ClassAsync("SCHOOL1", "C1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        Rejected(RejectionCode.NotCompleted, await institution.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Rejected(RejectionCode.InvalidVoucherCode, await institution.ClaimSettlementAsync(new SettlementRequest("0000-0000-0000-01", TrainingPart.Whole)));
    }

    [Fact]
    public async Task R15_online_and_offline_institutions_each_settle_their_own_part()
    {
        await SetUpAsync();
        await Given.InstitutionAsync("ONLINE1", onlinePlatform: true);
        await Given.CampaignAsync("credit", General(Fujian) with { ValueMode = ValueMode.Credit, FaceValueFen = 0, CreditReserveFen = 300_000 });
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("credit", worker);
        var classKey = await Given.ClassAsync("SCHOOL1", "N1", Nursery, offline: 4, online: 2, onlinePartner: "ONLINE1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "N1");
        await Given.AttendAllAsync(classKey, worker);
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        Ok(await schoolClass.RecordResultAsync(new AssessmentReport("ONLINE1", worker, TrainingPart.Online, true, null)));
        Ok(await schoolClass.RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Offline, true, "CERT-N1")));
        var school = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        var online = Grains.GetGrain<IInstitutionGrain>("ONLINE1");

        Rejected(RejectionCode.NotTrainingParty, await school.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Online)));
        Rejected(RejectionCode.NotTrainingParty, await school.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        var offlinePart = (await school.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Offline))).GetValueOrThrow();
        var onlinePart = (await online.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Online))).GetValueOrThrow();

        // 育婴员 without a level: 1,000 yuan, shared by hours: 2 online sessions of 6.
        Assert.Equal(100_000, offlinePart.AmountFen + onlinePart.AmountFen);
        Assert.Equal(33_333, onlinePart.AmountFen);
        Rejected(RejectionCode.SettlementNotClaimed, await school.ApproveSettlementAsync(code, TrainingPart.Online));
        Ok(await school.ApproveSettlementAsync(code, TrainingPart.Offline));
        Assert.Equal(VoucherStatus.Completed, (await Given.VoucherAsync(code)).Status);
        Ok(await online.ApproveSettlementAsync(code, TrainingPart.Online));
        Assert.Equal(VoucherStatus.Settled, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R3_a_suspended_institution_cannot_settle()
    {
        await SetUpAsync();
        await Given.CampaignAsync("face", General(Fujian));
        var code = await Given.CompletedAsync("face", await Given.WorkerAsync(1), "C1");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Ok(await institution.SuspendAsync("quality inspection"));

        Rejected(RejectionCode.InstitutionSuspended, await institution.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Ok(await institution.ReinstateAsync("rectified"));
        Ok(await institution.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
    }

    [Fact]
    public async Task R4_a_check_in_only_voucher_records_training_but_carries_no_subsidy()
    {
        await SetUpAsync();
        await Given.CampaignAsync("check-in", General(Fujian, budgetFen: 0) with { ValueMode = ValueMode.CheckInOnly, FaceValueFen = 0 });
        var code = await Given.CompletedAsync("check-in", await Given.WorkerAsync(1), "C1");

        Rejected(RejectionCode.NoSubsidy, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        Assert.Equal(VoucherStatus.Completed, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R16_only_a_general_voucher_may_reimburse_the_individual()
    {
        await SetUpAsync();
        await Given.CampaignAsync("directed", Directed(Fujian, Ecommerce));
        var worker = await Given.WorkerAsync(1);
        var roster = Grains.GetGrain<IRosterGrain>("directed/1");
        Ok(await roster.SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Ecommerce)])));
        var code = (await roster.ApproveAsync()).GetValueOrThrow().Outcomes.Single().VoucherCode!;
        Ok(await Grains.GetGrain<IVoucherGrain>(code).ClaimAsync(worker));
        await Given.CompletedAsync("directed", worker, "C1", code: code);

        Rejected(RejectionCode.InvalidRequest, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole, PaymentTarget.Individual)));
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole, PaymentTarget.Enterprise)));
    }

    [Fact]
    public async Task R19_revoking_a_completed_voucher_rejects_its_pending_settlement_claim()
    {
        await SetUpAsync();
        await Given.CampaignAsync("face", General(Fujian));
        var code = await Given.CompletedAsync("face", await Given.WorkerAsync(1), "C1");
        var claim = (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole))).GetValueOrThrow();
        var statistics = Grains.GetGrain<ICampaignStatisticsGrain>("face");
        Assert.Equal(claim.AmountFen, (await statistics.GetAsync()).PendingSettlementFen);

        Ok(await Grains.GetGrain<IVoucherGrain>(code).RevokeAsync("training never took place"));

        var view = await Given.VoucherAsync(code);
        Assert.Equal(VoucherStatus.Revoked, view.Status);
        Assert.Equal(SettlementStatus.Rejected, Assert.Single(view.Settlement).Status);
        Rejected(RejectionCode.SettlementNotClaimed, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole));
        var figures = await statistics.GetAsync();
        Assert.Equal(0, figures.PendingSettlementFen);
        Assert.Equal(0, figures.SettledAmountFen);
        Assert.Equal(1, figures.Revoked);
        await Invariants.AssertStatisticsExactAsync(Grains, "face", [code]);

        // The store holds the rejection, not only the activation that wrote it.
        await RestartAsync();
        Assert.Equal(SettlementStatus.Rejected, Assert.Single((await Given.VoucherAsync(code)).Settlement).Status);
        await Invariants.AssertStatisticsExactAsync(Grains, "face", [code]);
    }

    [Fact]
    public async Task R11_the_authority_revokes_a_voucher_with_a_reason_and_it_can_no_longer_be_used()
    {
        await SetUpAsync();
        await Given.CampaignAsync("face", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("face", worker);
        var voucher = Grains.GetGrain<IVoucherGrain>(code);

        Rejected(RejectionCode.InvalidRequest, await voucher.RevokeAsync(" "));
        Ok(await voucher.RevokeAsync("claimed with another person's card"));

        var view = await Given.VoucherAsync(code);
        Assert.Equal(VoucherStatus.Revoked, view.Status);
        Assert.Equal("claimed with another person's card", view.RevocationReason);
        Assert.Empty((await Given.WorkerViewAsync(worker)).Vouchers);
        Rejected(RejectionCode.VoucherRevoked, await voucher.RevokeAsync("again"));
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("face").GetAsync()).Revoked);
    }

    /// <summary>
    /// The amount SCHOOL1 claims for a credit voucher (3,000-yuan reserve, naming no level) of worker 1,
    /// verified into a 育婴员 class of <paramref name="level"/>, attended and passed; <paramref name="whileEnrolled"/>
    /// runs between the verification and the first session.
    /// </summary>
    private async Task<long> NurseryClaimAsync(SkillLevel level, WorkerAttributes? attributes = null, Func<Task>? whileEnrolled = null)
    {
        await Given.CampaignAsync("credit", General(Fujian) with { ValueMode = ValueMode.Credit, FaceValueFen = 0, CreditReserveFen = 300_000 });
        var worker = await Given.WorkerAsync(1, attributes);
        var code = await Given.ClaimAsync("credit", worker);
        var classKey = await Given.ClassAsync("SCHOOL1", "N1", Nursery, level: level);
        await Given.VerifyAsync("SCHOOL1", code, worker, "N1");
        if (whileEnrolled is not null)
        {
            await whileEnrolled();
        }

        await Given.AttendAllAsync(classKey, worker);
        Ok(await Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-N1")));
        return (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole))).GetValueOrThrow().AmountFen;
    }

    private async Task SetUpAsync()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
    }
}

public sealed class SettlementTestsOnMemory : SettlementTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class SettlementTestsOnPostgreSql(PostgresFixture fixture) : SettlementTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
