using OrleansVoucher.Grains;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// Refusals through an engine whose copies predate a change made through the other: a completion, a
/// settlement claim, a rating, a claim and a bulk row are refused only when the store refuses them, not because
/// the engine read the voucher, the trainee or the worker before the change. Each class is one session
/// starting within the hour, so that the whole training runs inside the copies' maximum age.
/// </summary>
public abstract partial class TwoEngineTests
{
    [Fact]
    public async Task R16_a_trainee_verified_through_one_engine_completes_through_the_other_whose_copy_of_the_voucher_predates_the_verification()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1", startsIn: TimeSpan.FromMinutes(20), offline: 1);
        await using var other = await StartAnotherSiloAsync();
        await LoadBothAsync(other, ("SCHOOL1", code, worker));

        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        Ok(await Grains.GetGrain<IClassGrain>(classKey).CheckInAsync(new CheckInRequest(worker, 0, Site)));

        var report = await other.Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-1"));

        Assert.True(report.GetValueOrThrow().Completed, report.Value!.Pending);
        await RestartAsync();
        Assert.Equal(VoucherStatus.Completed, (await Given.VoucherAsync(code)).Status);
        await Invariants.AssertConsistentAsync(Grains, [code]);
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").RecountAsync()).Completed);
    }

    [Fact]
    public async Task R16_a_training_completed_through_one_engine_is_claimed_for_settlement_through_the_other_whose_copy_of_the_voucher_predates_the_completion()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1", startsIn: TimeSpan.FromMinutes(20), offline: 1);
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        await using var other = await StartAnotherSiloAsync();
        Assert.Equal(VoucherStatus.Activated, (await other.Grains.GetGrain<IVoucherGrain>(code).GetAsync()).GetValueOrThrow().Status);
        Ok(await Grains.GetGrain<IClassGrain>(classKey).CheckInAsync(new CheckInRequest(worker, 0, Site)));
        Assert.True((await Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-1"))).GetValueOrThrow().Completed);
        var throughOther = other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1");

        Ok(await throughOther.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));

        // Rejected through this engine, the claim is made again through the other, whose copy still shows it pending.
        Ok(await Grains.GetGrain<IVoucherGrain>(code).RejectSettlementAsync(TrainingPart.Whole, "certificate not found"));
        Ok(await throughOther.ClaimSettlementAsync(new SettlementRequest(code, TrainingPart.Whole)));
        await RestartAsync();
        Assert.Equal(SettlementStatus.Claimed, Assert.Single((await Given.VoucherAsync(code)).Settlement).Status);
    }

    [Fact]
    public async Task R20_a_trainee_completed_through_one_engine_rates_the_course_through_the_other_whose_copy_of_the_trainee_predates_the_completion()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        var classKey = await Given.ClassAsync("SCHOOL1", "C1", startsIn: TimeSpan.FromMinutes(20), offline: 1);
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        await using var other = await StartAnotherSiloAsync();
        var throughOther = other.Grains.GetGrain<IClassGrain>(classKey);
        Ok(await throughOther.CheckInAsync(new CheckInRequest(worker, 0, Site)));

        Assert.True((await Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-1"))).GetValueOrThrow().Completed);

        Ok(await throughOther.RateCourseAsync(new Evaluation(worker, 5, "clear and practical")));
        await RestartAsync();
        Assert.Equal(1, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").RecountAsync()).Evaluated);
    }

    [Fact]
    public async Task R6_a_worker_registered_through_one_engine_claims_through_the_other_whose_copy_predates_the_registration()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await using var other = await StartAnotherSiloAsync();
        var worker = Citizen(1);
        Rejected(RejectionCode.WorkerNotRegistered, await ClaimThroughAsync(other.Grains, worker));

        await Given.WorkerAsync(1);

        Ok(await ClaimThroughAsync(other.Grains, worker));
        await RestartAsync();
        Assert.Single((await Given.WorkerViewAsync(worker)).Vouchers);
    }

    [Fact]
    public async Task R7_a_voucher_used_through_one_engine_no_longer_counts_as_live_through_the_other_whose_copy_of_the_worker_predates_the_use()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.CampaignAsync("second", General(Fujian));
        await Given.ClassAsync("SCHOOL1", "C1");
        await using var other = await StartAnotherSiloAsync();
        Rejected(RejectionCode.LiveVoucherHeld, await ClaimThroughAsync(other.Grains, worker, "second"));

        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");

        Ok(await ClaimThroughAsync(other.Grains, worker, "second"));
        await RestartAsync();
        var held = (await Given.WorkerViewAsync(worker)).Vouchers;
        Assert.Equal(code, Assert.Single(held, v => v.Status == VoucherStatus.Activated).Code);
        Assert.Single(held, v => v.Status == VoucherStatus.Claimed);
    }

    [Fact]
    public async Task R7_a_directed_bulk_row_through_an_engine_whose_copy_of_the_worker_predates_the_use_of_its_live_voucher_is_issued()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.CampaignAsync("directed", Directed(Fujian));
        await Given.ClassAsync("SCHOOL1", "C1");
        await using var other = await StartAnotherSiloAsync();
        Assert.Equal(VoucherStatus.Claimed, Assert.Single((await other.Grains.GetGrain<IWorkerGrain>(worker).GetAsync()).GetValueOrThrow().Vouchers).Status);

        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");

        // A row's refusal is final: it must not come of the other engine's copy of the worker.
        var row = Assert.Single(await IssueUntilDecidedAsync(other.Grains, "directed", "job-1", [new BulkIssueItem(1, worker, Ecommerce, null, "SCHOOL1", null)]));
        Assert.True(row.VoucherCode is not null, $"{row.Rejection?.Code}: {row.Rejection?.Detail}");
        await RestartAsync();
        Assert.Equal(2, (await Given.WorkerViewAsync(worker)).Vouchers.Count);
    }

    [Fact]
    public async Task R3_an_institution_reinstated_through_one_engine_is_suspended_through_the_other_whose_copy_predates_the_reinstatement()
    {
        var (code, worker) = await Given.ClaimedAsync(1);
        await Given.ClassAsync("SCHOOL1", "C1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").SuspendAsync("lax eligibility reviews"));
        await using var other = await StartAnotherSiloAsync();
        var throughOther = other.Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Assert.Equal(InstitutionStatus.Suspended, (await throughOther.GetAsync())!.Status);
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ReinstateAsync("rectified"));

        Ok(await throughOther.SuspendAsync("quality problems"));

        Rejected(RejectionCode.InstitutionSuspended, await Given.TryVerifyAsync("SCHOOL1", code, worker, "C1"));
        await RestartAsync();
        Assert.Equal(InstitutionStatus.Suspended, (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").GetAsync())!.Status);
    }
}
