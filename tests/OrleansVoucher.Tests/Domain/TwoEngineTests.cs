using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// The rules with two engines on one store, each with its own activations of the same grains, loaded
/// before the other engine changes them: whatever the second engine's activations still hold in memory,
/// its writes are checked against the store's versions, so no rule is broken by the engine that is behind.
/// Outcomes are read afterwards through a fresh engine, which holds nothing from before.
/// </summary>
public abstract partial class TwoEngineTests : DomainTestBase
{
    [Fact]
    public async Task R8_a_voucher_verified_through_two_engines_at_once_is_used_once()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.InstitutionAsync("SCHOOL2");
        await Given.ClassAsync("SCHOOL1", "C1");
        await Given.ClassAsync("SCHOOL2", "C1");
        await using var other = await StartAnotherSiloAsync();
        await LoadBothAsync(other, ("SCHOOL1", code, worker), ("SCHOOL2", code, worker));

        var results = await Task.WhenAll(
            Task.Run(() => Given.TryVerifyAsync("SCHOOL1", code, worker, "C1")),
            Task.Run(() => VerifyThroughAsync(other.Grains, "SCHOOL2", code, worker, "C1")));

        Assert.Equal(1, results.Count(r => r.IsSuccess));
        Assert.Contains(results.Single(r => !r.IsSuccess).Rejection, new RejectionCode?[] { RejectionCode.AlreadyUsed, RejectionCode.ConcurrentOperation });
        await RestartAsync();
        Assert.Single((await Given.WorkerViewAsync(worker)).Slots);
        var enrolled = 0;
        foreach (var school in new[] { "SCHOOL1", "SCHOOL2" })
        {
            enrolled += (await Grains.GetGrain<IClassGrain>(ClassKey.Of(school, "C1")).GetAsync())!.Trainees.Count;
        }

        Assert.Equal(1, enrolled);
        await Invariants.AssertConsistentAsync(Grains, [code]);
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").RecountAsync()).Activated);
    }

    [Fact]
    public async Task R3_an_institution_suspended_through_one_engine_cannot_verify_through_the_other()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "C1");
        await using var other = await StartAnotherSiloAsync();
        await LoadBothAsync(other, ("SCHOOL1", code, worker));

        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").SuspendAsync("quality problems"));

        Rejected(RejectionCode.InstitutionSuspended, await VerifyThroughAsync(other.Grains, "SCHOOL1", code, worker, "C1"));
        await RestartAsync();
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
        Assert.Empty((await Given.WorkerViewAsync(worker)).Slots);
    }

    [Fact]
    public async Task R3_an_institution_reinstated_through_one_engine_verifies_again_through_the_other()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "C1");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Ok(await institution.SuspendAsync("quality problems"));
        await using var other = await StartAnotherSiloAsync();
        Rejected(RejectionCode.InstitutionSuspended, await VerifyThroughAsync(other.Grains, "SCHOOL1", code, worker, "C1"));

        Ok(await institution.ReinstateAsync("rectified"));

        Ok(await VerifyThroughAsync(other.Grains, "SCHOOL1", code, worker, "C1"));
    }

    [Fact]
    public async Task R3_an_institution_reinstated_through_one_engine_is_answered_active_by_the_other_to_rosters_and_bulk_rows()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Ok(await institution.SuspendAsync("quality problems"));
        await using var other = await StartAnotherSiloAsync();
        Assert.Equal(InstitutionStatus.Suspended, (await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").GetAsync())!.Status);

        Ok(await institution.ReinstateAsync("rectified"));

        Assert.Equal(InstitutionStatus.Active, (await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").GetAsync())!.Status);
    }

    [Fact]
    public async Task R10_two_vouchers_of_one_worker_for_one_occupation_verified_through_two_engines_at_once_activate_one()
    {
        await Given.RegionAsync(Fujian, RegionPolicy.Fujian with { OneLiveVoucher = false });
        await Given.CampaignAsync("first", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        await Given.InstitutionAsync("SCHOOL2");
        await Given.ClassAsync("SCHOOL1", "C1");
        await Given.ClassAsync("SCHOOL2", "C1");
        var worker = await Given.WorkerAsync(1);
        var first = await Given.ClaimAsync("first", worker);
        var second = await Given.ClaimAsync("second", worker);
        await using var other = await StartAnotherSiloAsync();
        await LoadBothAsync(other, ("SCHOOL1", first, worker), ("SCHOOL2", second, worker));

        var results = await Task.WhenAll(
            Task.Run(() => Given.TryVerifyAsync("SCHOOL1", first, worker, "C1")),
            Task.Run(() => VerifyThroughAsync(other.Grains, "SCHOOL2", second, worker, "C1")));

        Assert.True(results.Count(r => r.IsSuccess) <= 1, "Both vouchers of one occupation were activated in one year.");
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Contains(r.Rejection, new RejectionCode?[] { RejectionCode.YearlyLimitReached, RejectionCode.ConcurrentOperation }));

        // Whatever the race left, the second attempt through the engine that lost it is decided on the store.
        var lost = results[0].IsSuccess ? 1 : 0;
        var retry = lost == 1 ? await VerifyThroughAsync(other.Grains, "SCHOOL2", second, worker, "C1") : await Given.TryVerifyAsync("SCHOOL1", first, worker, "C1");
        if (results.Any(r => r.IsSuccess))
        {
            Rejected(RejectionCode.YearlyLimitReached, retry);
        }

        await RestartAsync();
        Assert.Single((await Given.WorkerViewAsync(worker)).Slots);
        await Invariants.AssertConsistentAsync(Grains, [first, second]);
    }

    [Fact]
    public async Task R11_a_voucher_claimed_through_one_engine_is_verified_through_the_other_whose_copy_of_the_worker_predates_the_claim()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        await Given.ClassAsync("SCHOOL1", "C1");
        var worker = await Given.WorkerAsync(1);
        await using var other = await StartAnotherSiloAsync();
        Assert.Empty((await other.Grains.GetGrain<IWorkerGrain>(worker).GetAsync()).GetValueOrThrow().Vouchers);

        var code = await Given.ClaimAsync("general", worker);

        Assert.Null((await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").CheckVoucherAsync(new VerificationRequest(code, worker, "C1"))).Rejection);
        Ok(await VerifyThroughAsync(other.Grains, "SCHOOL1", code, worker, "C1"));
        await RestartAsync();
        await Invariants.AssertConsistentAsync(Grains, [code]);
    }

    [Fact]
    public async Task R10_a_slot_released_by_a_rollback_through_one_engine_is_free_through_the_other_whose_copy_of_the_worker_predates_it()
    {
        await Given.RegionAsync(Fujian, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("first", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        await Given.ClassAsync("SCHOOL1", "C1", Ecommerce);
        await Given.ClassAsync("SCHOOL1", "C2", Electrician);
        var worker = await Given.WorkerAsync(1);
        var first = await Given.ClaimAsync("first", worker);
        var second = await Given.ClaimAsync("second", worker);
        await Given.VerifyAsync("SCHOOL1", first, worker, "C1");
        await using var other = await StartAnotherSiloAsync();
        Assert.Single((await other.Grains.GetGrain<IWorkerGrain>(worker).GetAsync()).GetValueOrThrow().Slots);

        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(first, "enrolled in the wrong class"));

        Ok(await VerifyThroughAsync(other.Grains, "SCHOOL1", second, worker, "C2"));
        await RestartAsync();
        Assert.Equal(second, Assert.Single((await Given.WorkerViewAsync(worker)).Slots).VoucherCode);
        await Invariants.AssertConsistentAsync(Grains, [first, second]);
    }

    [Fact]
    public async Task R11_a_verification_rolled_back_through_one_engine_is_made_again_through_the_other_whose_copies_predate_the_rollback()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var next = await Given.WorkerAsync(2);
        var nextCode = await Given.ClaimAsync("general", next);
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RegisterClassAsync(new ClassRegistration("C1", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(7)), Capacity: 1)));
        await Given.ClassAsync("SCHOOL1", "C2");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        await using var other = await StartAnotherSiloAsync();
        var throughOther = other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Assert.Equal(RejectionCode.AlreadyUsed, (await throughOther.CheckVoucherAsync(new VerificationRequest(code, worker, "C2"))).Rejection);
        Assert.Equal(RejectionCode.ClassFull, (await throughOther.CheckVoucherAsync(new VerificationRequest(nextCode, next, "C1"))).Rejection);

        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(code, "enrolled in the wrong class"));

        // The voucher, its worker's slot and the full class are as the other engine last read them.
        Ok(await VerifyThroughAsync(other.Grains, "SCHOOL1", code, worker, "C2"));
        Ok(await VerifyThroughAsync(other.Grains, "SCHOOL1", nextCode, next, "C1"));
        await RestartAsync();
        Assert.Equal([next], (await Grains.GetGrain<IClassGrain>(ClassKey.Of("SCHOOL1", "C1")).GetAsync())!.Trainees);
        await Invariants.AssertConsistentAsync(Grains, [code, nextCode]);
    }

    [Fact]
    public async Task R11_a_verification_made_through_one_engine_is_rolled_back_through_the_other_whose_copy_of_the_voucher_predates_it()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "C1");
        await using var other = await StartAnotherSiloAsync();
        await LoadBothAsync(other, ("SCHOOL1", code, worker));

        Ok(await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));

        Ok(await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(code, "enrolled in the wrong class"));
        await RestartAsync();
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
        Assert.Empty((await Grains.GetGrain<IClassGrain>(ClassKey.Of("SCHOOL1", "C1")).GetAsync())!.Trainees);
        await Invariants.AssertConsistentAsync(Grains, [code]);
    }

    [Fact]
    public async Task R13_a_trainee_verified_through_one_engine_checks_in_through_the_other_whose_copy_of_the_class_predates_the_enrolment()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1", startsIn: TimeSpan.FromMinutes(20));
        await using var other = await StartAnotherSiloAsync();
        var throughOther = other.Grains.GetGrain<IClassGrain>(classKey);
        Assert.Empty((await throughOther.GetAsync())!.Trainees);

        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");

        Ok(await throughOther.CheckInAsync(new CheckInRequest(worker, 0, Site)));
        Assert.Equal([0], (await throughOther.GetAttendanceAsync(worker)).GetValueOrThrow().AttendedSessions);
    }

    [Fact]
    public async Task R7_a_voucher_revoked_through_the_engine_whose_copy_of_the_worker_predates_its_claim_is_no_longer_held_live()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        await using var other = await StartAnotherSiloAsync();
        Assert.Empty((await other.Grains.GetGrain<IWorkerGrain>(worker).GetAsync()).GetValueOrThrow().Vouchers);
        var code = await Given.ClaimAsync("general", worker);

        Ok(await other.Grains.GetGrain<IVoucherGrain>(code).RevokeAsync("claimed with another person's card"));

        await RestartAsync();
        Assert.DoesNotContain((await Given.WorkerViewAsync(worker)).Vouchers, v => v.Code == code && v.Status != VoucherStatus.Revoked);
        Ok(await Given.TryClaimAsync("second", worker));
    }

    [Fact]
    public async Task R17_a_voucher_claimed_for_settlement_and_approved_through_two_engines_at_once_is_paid_once()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("face", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.CompletedAsync("face", worker, "C1");
        await using var other = await StartAnotherSiloAsync();
        Assert.Equal(VoucherStatus.Completed, (await other.Grains.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow().Status);
        var request = new SettlementRequest(code, TrainingPart.Whole);

        var claims = await Task.WhenAll(
            Task.Run(() => RetriedAsync(() => Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(request))),
            Task.Run(() => RetriedAsync(() => other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(request))));

        Assert.Equal(1, claims.Count(r => r.IsSuccess));
        Assert.Contains(claims.Single(r => !r.IsSuccess).Rejection, new RejectionCode?[] { RejectionCode.SettlementAlreadyClaimed, RejectionCode.ConcurrentOperation });

        var approvals = await Task.WhenAll(
            Task.Run(() => RetriedAsync(() => Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole))),
            Task.Run(() => RetriedAsync(() => other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole))));

        Assert.Equal(1, approvals.Count(r => r.IsSuccess));
        Assert.Contains(approvals.Single(r => !r.IsSuccess).Rejection, new RejectionCode?[] { RejectionCode.VoucherSettled, RejectionCode.ConcurrentOperation });
        await RestartAsync();
        Assert.Equal(VoucherStatus.Settled, (await Given.VoucherAsync(code)).Status);
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("face").RecountAsync()).Settled);
    }

    [Fact]
    public async Task R16_a_claim_made_through_one_engine_is_decided_through_the_other_at_once()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("face", General(Fujian));
        var first = await Given.CompletedAsync("face", await Given.WorkerAsync(1), "C1");
        var second = await Given.CompletedAsync("face", await Given.WorkerAsync(2), "C2");
        await using var other = await StartAnotherSiloAsync();
        foreach (var code in new[] { first, second })
        {
            Assert.Equal(VoucherStatus.Completed, (await other.Grains.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow().Status);
            Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        }

        // The other engine's copies of the vouchers predate the claims; a decision confirms them on the store.
        Assert.Equal("SCHOOL1", (await other.Grains.GetGrain<IVoucherGrain>(first).PendingClaimAsync(TrainingPart.Whole)).GetValueOrThrow().InstitutionId);
        Ok(await RetriedAsync(() => other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(first, TrainingPart.Whole)));
        Ok(await other.Grains.GetGrain<IVoucherGrain>(second).RejectSettlementAsync(TrainingPart.Whole, "certificate not found"));
        await RestartAsync();
        Assert.Equal(VoucherStatus.Settled, (await Given.VoucherAsync(first)).Status);
        Assert.Equal(SettlementStatus.Rejected, (await Given.VoucherAsync(second)).Settlement.Single().Status);
    }

    [Fact]
    public async Task R16_a_rejection_through_an_engine_whose_copy_predates_an_approval_through_the_other_is_refused_as_decided()
    {
        var code = await ClaimedForSettlementAsync();
        await using var other = await StartAnotherSiloAsync();
        Assert.Equal("SCHOOL1", (await other.Grains.GetGrain<IVoucherGrain>(code).PendingClaimAsync(TrainingPart.Whole)).GetValueOrThrow().InstitutionId);

        // This engine approves; the other's copy still shows the claim pending, and its write loses the
        // version check: it reads the voucher again and answers on what the store holds.
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole));
        var rejection = await other.Grains.GetGrain<IVoucherGrain>(code).RejectSettlementAsync(TrainingPart.Whole, "certificate not found");

        Assert.Equal(RejectionCode.VoucherSettled, rejection.Rejection);
        await RestartAsync();
        Assert.Equal(VoucherStatus.Settled, (await Given.VoucherAsync(code)).Status);
        Assert.Equal(SettlementStatus.Approved, (await Given.VoucherAsync(code)).Settlement.Single().Status);
    }

    [Fact]
    public async Task R3_a_suspension_through_one_engine_landing_before_an_approval_through_the_other_commits_refuses_the_approval()
    {
        var code = await ClaimedForSettlementAsync();
        await using var other = await StartAnotherSiloAsync();

        // Just before this engine's approval commits, with the institution found active, the other engine suspends it.
        InterleavingGrainStorage? interleaving = null;
        await RestartAsync(inner => interleaving = new InterleavingGrainStorage(
            inner,
            unit => unit.States.Any(s => s.Key == new GrainStateKey("voucher", "voucher", code)),
            async () => Ok(await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").SuspendAsync("quality problems"))));

        Rejected(RejectionCode.InstitutionSuspended, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole));
        Assert.True(interleaving!.Fired);

        // Reinstated through the other engine, it is paid through this one.
        Ok(await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ReinstateAsync("rectified"));
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(code, TrainingPart.Whole));
        await RestartAsync();
        Assert.Equal(VoucherStatus.Settled, (await Given.VoucherAsync(code)).Status);
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("face").RecountAsync()).Settled);
    }

    [Fact]
    public async Task R1_a_policy_and_catalogue_published_through_one_engine_are_in_force_through_the_other_at_once()
    {
        await using var other = await StartAnotherSiloAsync();
        var catalogue = OccupationCatalogue.KeyFor(Fujian, Year);
        Assert.Null(await other.Grains.GetGrain<IRegionGrain>(Fujian).GetPolicyAsync());
        Assert.Null(await other.Grains.GetGrain<IOccupationCatalogueGrain>(catalogue).GetAsync(Nursery));

        await Given.FujianAsync();

        // Opening looks the policy and the occupation up through the other engine's activations.
        var campaign = other.Grains.GetGrain<ICampaignGrain>("directed");
        Ok(await campaign.CreateAsync(Directed(Fujian, Nursery)));
        Ok(await campaign.OpenAsync());
        Assert.Equal(RegionPolicy.Fujian, await other.Grains.GetGrain<IRegionGrain>(Fujian).GetPolicyAsync());
    }

    [Fact]
    public async Task R5_campaigns_created_through_two_engines_are_each_listed_with_their_regions_without_a_retry()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("first", General(Fujian));
        await using var other = await StartAnotherSiloAsync();
        Assert.Equal(["first"], await other.Grains.GetGrain<IRegionGrain>(Fujian).ListCampaignsAsync());

        await Given.CampaignAsync("second", General(Fujian));
        Ok(await other.Grains.GetGrain<ICampaignGrain>("third").CreateAsync(General(Fujian)));
        await Given.InstitutionAsync("SCHOOL1");
        Ok(await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL2").ListAsync((await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").GetAsync())!.Listing));

        Assert.Equal(["first", "second", "third"], (await other.Grains.GetGrain<IRegionGrain>(Fujian).ListCampaignsAsync()).Order());
        Assert.Equal(["SCHOOL1", "SCHOOL2"], (await other.Grains.GetGrain<IRegionGrain>(Gulou).ListInstitutionsAsync()).Order());
        await RestartAsync();
        Assert.Equal(["first", "second", "third"], (await Grains.GetGrain<IRegionGrain>(Fujian).ListCampaignsAsync()).Order());
    }

    [Fact]
    public async Task R11_a_voucher_verified_through_one_engine_is_answered_used_by_the_other_once_its_activations_are_past_the_maximum_age()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "C1");
        await using var other = await StartAnotherSiloAsync();
        await LoadBothAsync(other, ("SCHOOL1", code, worker));
        var classThroughOther = other.Grains.GetGrain<IClassGrain>(ClassKey.Of("SCHOOL1", "C1"));
        var statisticsThroughOther = other.Grains.GetGrain<ICampaignStatisticsGrain>("general");
        Assert.Empty((await classThroughOther.GetAsync())!.Trainees);
        Assert.Equal(0, (await statisticsThroughOther.GetAsync()).Activated);

        Ok(await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));
        Clock.Advance(new SiloOptions().MaxActivationAge);

        // What the other engine's activations read before the verification is no longer what it answers.
        var check = await other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1").CheckVoucherAsync(new VerificationRequest(code, worker, "C1"));
        Assert.Equal(RejectionCode.AlreadyUsed, check.Rejection);
        Assert.Single((await classThroughOther.GetAsync())!.Trainees);
        Assert.Equal(1, (await statisticsThroughOther.GetAsync()).Activated);
    }

    [Fact]
    public async Task R5_a_campaign_closed_through_one_engine_stops_issuing_through_the_other_once_its_activations_are_past_the_maximum_age()
    {
        await Given.ClaimedAsync(1);
        await using var other = await StartAnotherSiloAsync();
        Ok(await ClaimThroughAsync(other.Grains, await Given.WorkerAsync(2)));

        Ok(await Grains.GetGrain<ICampaignGrain>("general").CloseAsync("budget reallocated"));
        Clock.Advance(new SiloOptions().MaxActivationAge);

        Rejected(RejectionCode.CampaignNotOpen, await ClaimThroughAsync(other.Grains, await Given.WorkerAsync(3)));
        Assert.Equal(2, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").RecountAsync()).Claimed);
    }

    /// <summary>
    /// Checks each voucher through both engines, which activates in both the institution, its class, the
    /// voucher and its worker, as they stand now.
    /// </summary>
    /// <summary>Fujian, SCHOOL1 and a face-value campaign, and a voucher completed there whose whole subsidy SCHOOL1 has claimed; returns its code.</summary>
    private async Task<string> ClaimedForSettlementAsync()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("face", General(Fujian));
        var code = await Given.CompletedAsync("face", await Given.WorkerAsync(1), "C1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        return code;
    }

    private async Task LoadBothAsync(DomainSilo other, params (string Institution, string Code, string Worker)[] checks)
    {
        foreach (var (institution, code, worker) in checks)
        {
            await CheckThroughBothAsync([Grains, other.Grains], institution, code, worker, "C1");
        }
    }

    /// <summary>Checks a voucher for a class through each engine, which activates in each the institution, the class, the voucher and its worker.</summary>
    private static async Task CheckThroughBothAsync(IGrainFactory[] engines, string institution, string code, string worker, string classCode)
    {
        foreach (var engine in engines)
        {
            Assert.Null((await engine.GetGrain<IInstitutionGrain>(institution).CheckVoucherAsync(new VerificationRequest(code, worker, classCode))).Rejection);
        }
    }

    /// <summary>
    /// A call as a client makes it through the API: a write of a single grain that loses its version check
    /// to another engine fails (the API's 409 <c>concurrent-operation</c>), its activation is dropped, and
    /// the client's retry is decided on what the store holds.
    /// </summary>
    private static async Task<T> RetriedAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (InconsistentStateException) when (attempt < 3)
            {
            }
        }
    }

    private static Task<Result<ClaimReceipt>> ClaimThroughAsync(IGrainFactory engine, string citizenId, string campaignId = "general") =>
        engine.GetGrain<ICampaignIssuerGrain>(CampaignIssuers.KeyFor(campaignId, citizenId, 1)).ClaimAsync(new ClaimRequest(citizenId, null));

    private static Task<Result<VerificationReceipt>> VerifyThroughAsync(IGrainFactory engine, string institutionId, string code, string presenter, string classCode) =>
        engine.GetGrain<IInstitutionGrain>(institutionId).VerifyVoucherAsync(new VerificationRequest(code, presenter, classCode));
}

public sealed class TwoEngineTestsOnMemory : TwoEngineTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class TwoEngineTestsOnPostgreSql(PostgresFixture fixture) : TwoEngineTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
