using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Verification at enrolment, yearly limits, rollback and sanctions (R1–R3, R10–R12).</summary>
public abstract class VerificationTests : DomainTestBase
{
    [Fact]
    public async Task R11_verification_activates_the_voucher_takes_the_slot_and_enrols_the_trainee()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");

        var receipt = (await Given.TryVerifyAsync("SCHOOL1", VoucherCode.Format(code).ToLowerInvariant(), worker, "C1")).GetValueOrThrow();

        Assert.Equal(code, receipt.VoucherCode);
        var voucher = await Given.VoucherAsync(code);
        Assert.Equal(VoucherStatus.Activated, voucher.Status);
        Assert.Equal("SCHOOL1", voucher.InstitutionId);
        Assert.Equal(classKey, voucher.ClassKey);
        Assert.Equal(Ecommerce, voucher.OccupationCode);
        Assert.Equal(new YearlySlotKey(Year, Ecommerce, code), (await Given.WorkerViewAsync(worker)).Slots.Select(s => new YearlySlotKey(s.Year, s.OccupationCode, s.VoucherCode)).Single());
        Assert.Contains(worker, (await Grains.GetGrain<IClassGrain>(classKey).GetAsync())!.Trainees);
        Assert.Equal(1, (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").GetAsync())!.Verifications);
    }

    [Fact]
    public async Task R11_a_class_registered_after_a_verification_found_none_is_found_by_the_next()
    {
        var (code, worker) = await Given.ClaimedAsync(1);

        Rejected(RejectionCode.ClassNotFound, await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");

        Assert.Equal(classKey, (await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1")).GetValueOrThrow().ClassKey);
        Assert.Equal(VoucherStatus.Activated, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R11_the_person_presenting_the_voucher_must_be_its_holder()
    {
        var (code, _) = await Given.ClaimedAsync(1);
        var impostor = await Given.WorkerAsync(2);
        await Given.ClassAsync("SCHOOL1", "C1");

        Rejected(RejectionCode.IdentityMismatch, await Given.TryVerifyAsync("SCHOOL1", code, impostor, "C1"));
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R11_a_thousand_parallel_verifications_of_one_voucher_activate_it_once()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var institutions = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            institutions.Add(await Given.InstitutionAsync($"SCHOOL{i}"));
            await Given.ClassAsync($"SCHOOL{i}", "C1");
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(() => Given.TryVerifyAsync(institutions[i % 10], code, worker, "C1"))));

        Assert.Equal(1, results.Count(r => r.IsSuccess));
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Contains(r.Rejection, new RejectionCode?[] { RejectionCode.AlreadyUsed, RejectionCode.ConcurrentOperation }));
        Assert.Single((await Given.WorkerViewAsync(worker)).Slots);
        var enrolled = 0;
        foreach (var institution in institutions)
        {
            enrolled += (await Grains.GetGrain<IClassGrain>(ClassKey.Of(institution, "C1")).GetAsync())!.Trainees.Count;
        }

        Assert.Equal(1, enrolled);
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync()).Activated);
    }

    [Fact]
    public async Task R10_two_vouchers_of_one_worker_for_the_same_occupation_verified_at_once_activate_one()
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

        for (var round = 0; round < 20; round++)
        {
            var results = await Task.WhenAll(
                Task.Run(() => Given.TryVerifyAsync("SCHOOL1", first, worker, "C1")),
                Task.Run(() => Given.TryVerifyAsync("SCHOOL2", second, worker, "C1")));
            Assert.True(results.Count(r => r.IsSuccess) <= 1);
            if (results.Any(r => r.IsSuccess))
            {
                Assert.Contains(results.Single(r => !r.IsSuccess).Rejection, new RejectionCode?[] { RejectionCode.YearlyLimitReached, RejectionCode.ConcurrentOperation });
                break;
            }
        }

        var view = await Given.WorkerViewAsync(worker);
        Assert.Single(view.Slots);
        await Invariants.AssertConsistentAsync(Grains, [first, second]);
    }

    [Fact]
    public async Task R10_Fujian_allows_one_training_per_occupation_per_year()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("first", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        await Given.ClassAsync("SCHOOL1", "E1", Ecommerce);
        await Given.ClassAsync("SCHOOL1", "E2", Ecommerce);
        await Given.ClassAsync("SCHOOL1", "W1", Electrician);
        var worker = await Given.WorkerAsync(1);
        await Given.VerifyAsync("SCHOOL1", await Given.ClaimAsync("first", worker), worker, "E1");

        // Activated is not unused, so R7 lets the worker claim again.
        var second = await Given.ClaimAsync("second", worker);

        Rejected(RejectionCode.YearlyLimitReached, await Given.TryVerifyAsync("SCHOOL1", second, worker, "E2"));
        Ok(await Given.TryVerifyAsync("SCHOOL1", second, worker, "W1"));
    }

    [Fact]
    public async Task R10_Shaoxing_allows_one_activation_per_worker_per_year_and_counts_the_calendar_year()
    {
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("first", General(Shaoxing));
        await Given.CampaignAsync("second", General(Shaoxing) with { ClaimClosesAt = new DateTimeOffset(2028, 1, 1, 0, 0, 0, ChinaTime.Offset) });
        await Given.InstitutionAsync("SCHOOL1", Yuecheng);
        await Given.ClassAsync("SCHOOL1", "E1", Ecommerce);
        await Given.ClassAsync("SCHOOL1", "W1", Electrician);
        var worker = await Given.WorkerAsync(1, region: Yuecheng);
        await Given.VerifyAsync("SCHOOL1", await Given.ClaimAsync("first", worker), worker, "E1");
        var second = await Given.ClaimAsync("second", worker);

        Rejected(RejectionCode.YearlyLimitReached, await Given.TryVerifyAsync("SCHOOL1", second, worker, "W1"));

        // A new local year; the second voucher (activate within 3 months of claiming) has lapsed by then,
        // so a fresh one is claimed in January.
        Given.AdvanceTo(new DateTimeOffset(2027, 1, 1, 0, 0, 0, ChinaTime.Offset));
        await Given.CatalogueForAsync(Shaoxing, 2027);
        var third = Grains.GetGrain<ICampaignGrain>("third");
        Ok(await third.CreateAsync(General(Shaoxing) with { CatalogueYear = 2027, ClaimClosesAt = new DateTimeOffset(2028, 1, 1, 0, 0, 0, ChinaTime.Offset) }));
        Ok(await third.OpenAsync());
        var code = await Given.ClaimAsync("third", worker);
        await Given.ClassAsync("SCHOOL1", "W2", Electrician);
        Ok(await Given.TryVerifyAsync("SCHOOL1", code, worker, "W2"));
    }

    [Fact]
    public async Task R10_rolling_back_a_verification_before_the_class_starts_releases_the_slot()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");
        await Given.ClassAsync("SCHOOL1", "C2", startsIn: TimeSpan.FromDays(20));
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");

        Rejected(RejectionCode.InvalidRequest, await institution.RollBackVerificationAsync(code, " "));
        Ok(await institution.RollBackVerificationAsync(code, "trainee changed class"));

        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
        Assert.Empty((await Given.WorkerViewAsync(worker)).Slots);
        Assert.DoesNotContain(worker, (await Grains.GetGrain<IClassGrain>(classKey).GetAsync())!.Trainees);
        Assert.Equal(0, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync()).Activated);

        await Given.VerifyAsync("SCHOOL1", code, worker, "C2");
        Given.Advance(TimeSpan.FromDays(21));
        Rejected(RejectionCode.ClassStarted, await institution.RollBackVerificationAsync(code, "too late"));
        await Invariants.AssertConsistentAsync(Grains, [code]);
    }

    [Fact]
    public async Task R13_a_verification_is_not_rolled_back_once_its_trainee_has_checked_in_before_the_class_starts()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        var schoolClass = Grains.GetGrain<IClassGrain>(classKey);
        var first = (await schoolClass.GetAsync())!.Sessions[0];

        // Check-in opens half an hour before the first session: the class has not started yet.
        Given.AdvanceTo(first.Start.AddMinutes(-20));
        Ok(await schoolClass.CheckInAsync(new CheckInRequest(worker, 0, Site)));

        Rejected(RejectionCode.ClassStarted, await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(code, "trainee changed class"));

        Assert.Equal(VoucherStatus.Activated, (await Given.VoucherAsync(code)).Status);
        Assert.Contains(worker, (await schoolClass.GetAsync())!.Trainees);
        Assert.Equal([0], (await schoolClass.GetAttendanceAsync(worker)).GetValueOrThrow().AttendedSessions);
        Given.AdvanceTo(first.End);
        Assert.DoesNotContain(await schoolClass.GetAnomaliesAsync(), a => a.Kind == AnomalyKind.SessionWithoutCheckIns && a.Session == 0);
        await Invariants.AssertConsistentAsync(Grains, [code]);
    }

    [Fact]
    public async Task R11_a_directed_voucher_must_be_used_for_its_occupation_at_its_institution()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.InstitutionAsync("SCHOOL2");
        await Given.CampaignAsync("directed", Directed(Fujian));
        var worker = await Given.WorkerAsync(1);
        var roster = Grains.GetGrain<IRosterGrain>("directed/1");
        Ok(await roster.SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Nursery)])));
        var code = (await roster.ApproveAsync()).GetValueOrThrow().Outcomes.Single().VoucherCode!;
        await Given.ClassAsync("SCHOOL1", "E1", Ecommerce);
        await Given.ClassAsync("SCHOOL1", "N1", Nursery);
        await Given.ClassAsync("SCHOOL2", "N1", Nursery);

        Rejected(RejectionCode.NotClaimed, await Given.TryVerifyAsync("SCHOOL1", code, worker, "N1"));
        Ok(await Grains.GetGrain<IVoucherGrain>(code).ClaimAsync(worker));
        Rejected(RejectionCode.OccupationMismatch, await Given.TryVerifyAsync("SCHOOL1", code, worker, "E1"));
        Rejected(RejectionCode.InstitutionMismatch, await Given.TryVerifyAsync("SCHOOL2", code, worker, "N1"));
        Ok(await Given.TryVerifyAsync("SCHOOL1", code, worker, "N1"));
    }

    [Fact]
    public async Task R11_expired_revoked_and_unknown_vouchers_are_refused()
    {
        var (expiring, first) = await Given.ClaimedAsync(1);
        var revoked = await Given.ClaimAsync("general", await Given.WorkerAsync(2));
        var second = Citizen(2);
        await Given.ClassAsync("SCHOOL1", "C1", startsIn: TimeSpan.FromDays(120));
        Ok(await Grains.GetGrain<IVoucherGrain>(revoked).RevokeAsync("impersonated claim"));

        Rejected(RejectionCode.VoucherRevoked, await Given.TryVerifyAsync("SCHOOL1", revoked, second, "C1"));
        Rejected(RejectionCode.VoucherNotFound, await Given.TryVerifyAsync("SCHOOL1", VoucherCode.New(), first, "C1"));
        Rejected(RejectionCode.InvalidVoucherCode, await Given.TryVerifyAsync("SCHOOL1", "NOT-A-CODE", first, "C1"));
        Given.Advance(TimeSpan.FromDays(95));
        Rejected(RejectionCode.VoucherExpired, await Given.TryVerifyAsync("SCHOOL1", expiring, first, "C1"));
    }

    [Fact]
    public async Task R2_an_institution_verifies_only_the_occupations_it_is_listed_for()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.InstitutionAsync("NARROW", Gulou, false, Nursery);
        Rejected(RejectionCode.OccupationNotAllowed, await Grains.GetGrain<IInstitutionGrain>("NARROW").RegisterClassAsync(
            new ClassRegistration("E1", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(7)))));
        await Given.ClassAsync("SCHOOL1", "E1", Ecommerce);

        // The authority narrows the listing after the class was registered.
        await Given.InstitutionAsync("SCHOOL1", Gulou, false, Nursery);

        Rejected(RejectionCode.OccupationNotAllowed, await Given.TryVerifyAsync("SCHOOL1", code, worker, "E1"));
    }

    [Fact]
    public async Task R2_a_listing_needs_valid_codes_and_a_check_in_site()
    {
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL9");
        var listing = new InstitutionListing { Name = "School", RegionCode = Gulou, Occupations = [Nursery], Site = Site };

        Rejected(RejectionCode.InvalidRequest, await institution.ListAsync(listing with { Occupations = ["nursery"] }));
        Rejected(RejectionCode.InvalidRequest, await institution.ListAsync(listing with { Site = null }));
        Rejected(RejectionCode.InvalidRequest, await institution.ListAsync(listing with { RegionCode = "35010" }));
        Ok(await institution.ListAsync(listing with { Site = null, OnlinePlatform = true }));
        Assert.Contains("SCHOOL9", await Grains.GetGrain<IRegionGrain>(Gulou).ListInstitutionsAsync());
    }

    [Fact]
    public async Task R1_an_occupation_removed_from_the_catalogue_cannot_be_activated()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "E1", Ecommerce);
        var catalogue = Grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(Fujian, Year));

        Ok(await catalogue.RemoveAsync(Ecommerce));

        Rejected(RejectionCode.OccupationNotInCatalogue, await Given.TryVerifyAsync("SCHOOL1", code, worker, "E1"));
        Assert.DoesNotContain(await catalogue.ListAsync(), o => o.Code == Ecommerce);
    }

    [Fact]
    public async Task R1_the_catalogue_holds_codes_kinds_shortage_flags_and_standards_per_level()
    {
        await Given.FujianAsync();
        var catalogue = Grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(Fujian, Year));

        var nursery = (await catalogue.GetAsync(Nursery))!;

        Assert.Equal(SkillKind.OperationSkill, nursery.Kind);
        Assert.True(nursery.Shortage);
        Assert.Equal(200_000, nursery.StandardFor(SkillLevel.Intermediate));
        Assert.Equal(100_000, nursery.StandardFor(SkillLevel.Technician));
        Rejected(RejectionCode.InvalidOccupationCode, await catalogue.UpsertAsync(nursery with { Code = "4-10-1-2" }));
        Rejected(RejectionCode.InvalidRequest, await catalogue.UpsertAsync(nursery with { Standards = [] }));
        Ok(await catalogue.UpsertAsync(new OccupationEntry { Code = "L-SYB", Name = "SYB 创业培训", Standards = [new(null, 100_000)] }));
        Rejected(RejectionCode.InvalidRequest, await Grains.GetGrain<IOccupationCatalogueGrain>("350000").PublishAsync(Occupations));
    }

    [Fact]
    public async Task R3_three_lax_eligibility_reviews_suspend_an_institution_until_it_is_reinstated()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "C1");
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Ok(await institution.RecordStrikeAsync(StrikeKind.LaxEligibilityReview, "trainee not unemployed"));
        Ok(await institution.RecordStrikeAsync(StrikeKind.QualityProblem, "missing teacher"));
        Ok(await institution.RecordStrikeAsync(StrikeKind.LaxEligibilityReview, "trainee under age"));
        Assert.Equal(InstitutionStatus.Active, (await institution.GetAsync())!.Status);

        var third = (await institution.RecordStrikeAsync(StrikeKind.LaxEligibilityReview, "forged residence permit")).GetValueOrThrow();

        Assert.Equal(InstitutionStatus.Suspended, third.Status);
        Rejected(RejectionCode.InstitutionSuspended, await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));
        Ok(await institution.ReinstateAsync("rectified"));
        Assert.Empty((await institution.GetAsync())!.Strikes);
        Ok(await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));
    }

    [Fact]
    public async Task R3_a_removed_institution_cannot_verify_until_listed_again()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "C1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RemoveAsync("fake training"));

        Rejected(RejectionCode.InstitutionRemoved, await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));
        Rejected(RejectionCode.InstitutionNotListed, await Given.TryVerifyAsync("NOBODY", code, worker, "C1"));
    }

    [Fact]
    public async Task R12_Shanghai_registers_classes_and_trainees_at_least_3_days_before_the_class()
    {
        await Given.RegionAsync(Shanghai, RegionPolicy.Shanghai);
        await Given.CampaignAsync("shanghai", General(Shanghai));
        await Given.InstitutionAsync("SCHOOL1", Huangpu);
        var worker = await Given.WorkerAsync(1, region: Huangpu);
        var code = await Given.ClaimAsync("shanghai", worker);
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");

        Rejected(RejectionCode.RegistrationTooLate, await institution.RegisterClassAsync(new ClassRegistration("C1", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(2)))));
        await Given.ClassAsync("SCHOOL1", "C2", startsIn: TimeSpan.FromDays(5));
        Given.Advance(TimeSpan.FromDays(3));

        Rejected(RejectionCode.RegistrationTooLate, await Given.TryVerifyAsync("SCHOOL1", code, worker, "C2"));
    }

    [Fact]
    public async Task R11_an_institution_outside_the_issuing_region_cannot_verify()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.InstitutionAsync("ZHEJIANG1", Yuecheng);
        await Given.ClassAsync("ZHEJIANG1", "C1");

        Rejected(RejectionCode.OutOfRegion, await Given.TryVerifyAsync("ZHEJIANG1", code, worker, "C1"));
    }

    public static TheoryData<string, Fault> VerificationSteps => new()
    {
        { "voucher", Fault.FailRead },
        { "worker", Fault.FailRead },
        { "class", Fault.FailRead },
        { "institution", Fault.FailBeforeCommit },
        { "institution", Fault.FailAfterCommit },
    };

    [Theory]
    [MemberData(nameof(VerificationSteps))]
    public async Task R11_a_crash_at_any_step_of_a_verification_leaves_it_all_done_or_not_at_all(string grainType, Fault fault)
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var other = await Given.ClaimAsync("general", await Given.WorkerAsync(2));
        await Given.ClassAsync("SCHOOL1", "C1");
        await RestartAsync(inner => new FaultyGrainStorage(inner, fault, key => key.GrainType == grainType));

        await Assert.ThrowsAnyAsync<Exception>(() => Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));

        // The same silo, its activations reloaded, sees no half-done verification...
        await Invariants.AssertConsistentAsync(Grains, [code, other]);

        // ...nor does a fresh one after a restart; and the verification can be retried.
        await RestartAsync();
        await Invariants.AssertConsistentAsync(Grains, [code, other]);
        var retry = await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1");
        if (fault == Fault.FailAfterCommit)
        {
            Rejected(RejectionCode.AlreadyUsed, retry);
        }
        else
        {
            Ok(retry);
        }

        await Invariants.AssertConsistentAsync(Grains, [code, other]);
        await Invariants.AssertStatisticsExactAsync(Grains, "general", [code, other]);
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync()).Activated);
    }

    public static TheoryData<string, Fault> ClaimSteps => new()
    {
        { "worker", Fault.FailRead },
        { "voucher", Fault.FailRead },
        { "campaign-issuer", Fault.FailRead },
        { "campaign-issuer", Fault.FailBeforeCommit },
        { "campaign-issuer", Fault.FailAfterCommit },
    };

    [Theory]
    [MemberData(nameof(ClaimSteps))]
    public async Task R5_a_crash_at_any_step_of_a_claim_leaves_stock_worker_and_voucher_consistent(string grainType, Fault fault)
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian, quantity: 3));
        var workers = await Task.WhenAll(Enumerable.Range(1, 4).Select(n => Given.WorkerAsync(n)));
        var codes = new List<string> { await Given.ClaimAsync("general", workers[0]) };
        await RestartAsync(inner => new FaultyGrainStorage(inner, fault, key => key.GrainType == grainType));

        await Assert.ThrowsAnyAsync<Exception>(() => Given.TryClaimAsync("general", workers[1]));
        await RestartAsync();

        var held = (await Given.WorkerViewAsync(workers[1])).Vouchers;
        Assert.Equal(fault == Fault.FailAfterCommit ? 1 : 0, held.Count);
        codes.AddRange(held.Select(v => v.Code));
        var retry = await Given.TryClaimAsync("general", workers[1]);
        if (fault == Fault.FailAfterCommit)
        {
            Rejected(RejectionCode.LiveVoucherHeld, retry);
        }
        else
        {
            codes.Add(retry.GetValueOrThrow().VoucherCode);
        }

        // The stock is exact: what remains of the 3 goes to the others, and no more.
        foreach (var worker in workers[2..])
        {
            var claim = await Given.TryClaimAsync("general", worker);
            if (claim.IsSuccess)
            {
                codes.Add(claim.Value!.VoucherCode);
            }
        }

        Assert.Equal(3, codes.Count);
        await Invariants.AssertConsistentAsync(Grains, codes);
        await Invariants.AssertStatisticsExactAsync(Grains, "general", codes);
    }

    [Fact]
    public async Task R11_a_check_finds_a_class_registered_after_a_check_found_none()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        var request = new VerificationRequest(code, worker, "C1");

        Assert.Equal(RejectionCode.ClassNotFound, (await institution.CheckVoucherAsync(request)).Rejection);
        await Given.ClassAsync("SCHOOL1", "C1");

        Assert.True((await institution.CheckVoucherAsync(request)).Verifiable);
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R1_a_check_refuses_an_occupation_removed_from_the_catalogue_after_an_earlier_check()
    {
        var (institution, request) = await DeskCheckAsync();
        Assert.True((await institution.CheckVoucherAsync(request)).Verifiable);

        Ok(await Grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(Fujian, Year)).RemoveAsync(Ecommerce));

        Assert.Equal(RejectionCode.OccupationNotInCatalogue, (await institution.CheckVoucherAsync(request)).Rejection);
    }

    [Fact]
    public async Task R11_checks_answer_the_same_after_the_grains_they_ask_are_collected()
    {
        var (institution, request) = await DeskCheckAsync();
        var first = await institution.CheckVoucherAsync(request);

        Assert.True(await Silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero) > 0);
        Assert.Equal(first, await institution.CheckVoucherAsync(request));
        Assert.True(first.Verifiable);

        Assert.True(await Silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero) > 0);
        Ok(await Grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(Fujian, Year)).RemoveAsync(Ecommerce));
        Assert.Equal(RejectionCode.OccupationNotInCatalogue, (await institution.CheckVoucherAsync(request)).Rejection);
    }

    [Fact]
    public async Task R11_a_verification_after_a_check_of_the_same_class_enrols_in_it_and_is_found_after_collection()
    {
        var (institution, request) = await DeskCheckAsync();
        Assert.True((await institution.CheckVoucherAsync(request)).Verifiable);

        var receipt = (await institution.VerifyVoucherAsync(request)).GetValueOrThrow();

        Assert.Equal(ClassKey.Of("SCHOOL1", "E1"), receipt.ClassKey);
        Assert.Contains(request.PresenterCitizenId, (await Grains.GetGrain<IClassGrain>(receipt.ClassKey).GetAsync())!.Trainees);
        Assert.Equal(VoucherStatus.Activated, (await Given.VoucherAsync(request.VoucherCode)).Status);
        Assert.True(await Silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero) > 0);
        Assert.Equal(RejectionCode.AlreadyUsed, (await institution.CheckVoucherAsync(request)).Rejection);
        Assert.Equal(RejectionCode.AlreadyUsed, (await institution.VerifyVoucherAsync(request)).Rejection);
    }

    /// <summary>A claimed voucher, its holder and an e-commerce class at SCHOOL1: the institution and the check of the voucher there.</summary>
    private async Task<(IInstitutionGrain Institution, VerificationRequest Request)> DeskCheckAsync()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "E1", Ecommerce);
        return (Grains.GetGrain<IInstitutionGrain>("SCHOOL1"), new VerificationRequest(code, worker, "E1"));
    }

    private sealed record YearlySlotKey(int Year, string Occupation, string Code);
}

public sealed class VerificationTestsOnMemory : VerificationTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class VerificationTestsOnPostgreSql(PostgresFixture fixture) : VerificationTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
