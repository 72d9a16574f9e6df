using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Validity and automatic expiry (R9), without anything touching the vouchers.</summary>
public abstract class ExpiryTests : DomainTestBase
{
    [Fact]
    public async Task R9_Fujian_vouchers_are_valid_3_months_to_the_end_of_the_local_day()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        var code = await Given.ClaimAsync("general", await Given.WorkerAsync(1));

        // Claimed on 2 March (local); valid through 2 June.
        var deadline = new DateTimeOffset(2026, 6, 3, 0, 0, 0, ChinaTime.Offset);
        Assert.Equal(deadline, (await Given.VoucherAsync(code)).Deadline);
        Given.AdvanceTo(deadline.AddSeconds(-1));
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
        Given.AdvanceTo(deadline);
        Assert.Equal(VoucherStatus.Expired, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R9_Fujian_voids_an_activated_voucher_whose_training_is_unfinished_at_the_deadline()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("general", worker);
        Given.Advance(TimeSpan.FromDays(60));
        var classKey = await Given.ClassAsync("SCHOOL1", "C1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");
        Assert.Equal(new DateTimeOffset(2026, 6, 3, 0, 0, 0, ChinaTime.Offset), (await Given.VoucherAsync(code)).Deadline);
        await Given.AttendAllAsync(classKey, worker);

        Given.AdvanceTo(new DateTimeOffset(2026, 6, 3, 0, 0, 0, ChinaTime.Offset));

        Assert.Equal(VoucherStatus.Expired, (await Given.VoucherAsync(code)).Status);
        var report = (await Grains.GetGrain<IClassGrain>(classKey).RecordResultAsync(new AssessmentReport("SCHOOL1", worker, TrainingPart.Whole, true, "CERT-1"))).GetValueOrThrow();
        Assert.False(report.Completed);
        Assert.Contains(nameof(RejectionCode.VoucherExpired), report.Pending, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R9_a_voucher_is_not_activated_for_a_class_that_starts_after_its_deadline()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        await Given.InstitutionAsync("SCHOOL1");
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("general", worker);
        var deadline = (await Given.VoucherAsync(code)).Deadline!.Value;
        Given.AdvanceTo(deadline - TimeSpan.FromDays(10));
        await Given.ClassAsync("SCHOOL1", "LATE", startsIn: TimeSpan.FromDays(10));
        await Given.ClassAsync("SCHOOL1", "SOON", startsIn: TimeSpan.FromDays(7));

        Rejected(RejectionCode.ValidityEndsBeforeClass, await Given.TryVerifyAsync("SCHOOL1", code, worker, "LATE"));
        Assert.Equal(RejectionCode.ValidityEndsBeforeClass, (await Grains.GetGrain<IInstitutionGrain>("SCHOOL1")
            .CheckVoucherAsync(new VerificationRequest(code, worker, "LATE"))).Rejection);
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(code)).Status);
        Assert.Empty((await Given.WorkerViewAsync(worker)).Slots);
        Ok(await Given.TryVerifyAsync("SCHOOL1", code, worker, "SOON"));
    }

    [Fact]
    public async Task R9_Shaoxing_vouchers_are_activated_within_3_months_then_usable_for_6()
    {
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("general", General(Shaoxing));
        await Given.InstitutionAsync("SCHOOL1", Yuecheng);
        var worker = await Given.WorkerAsync(1, region: Yuecheng);
        var unused = await Given.ClaimAsync("general", await Given.WorkerAsync(2, region: Yuecheng));
        var code = await Given.ClaimAsync("general", worker);
        Assert.Equal(new DateTimeOffset(2026, 6, 3, 0, 0, 0, ChinaTime.Offset), (await Given.VoucherAsync(code)).Deadline);

        Given.AdvanceTo(new DateTimeOffset(2026, 5, 20, 9, 0, 0, ChinaTime.Offset));
        await Given.ClassAsync("SCHOOL1", "C1", startsIn: TimeSpan.FromDays(10));
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");

        // Activated on 20 May: usable through 20 November, well past the activation deadline.
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 0, 0, 0, ChinaTime.Offset), (await Given.VoucherAsync(code)).Deadline);
        Given.AdvanceTo(new DateTimeOffset(2026, 8, 1, 0, 0, 0, ChinaTime.Offset));
        Assert.Equal(VoucherStatus.Expired, (await Given.VoucherAsync(unused)).Status);
        Assert.Equal(VoucherStatus.Activated, (await Given.VoucherAsync(code)).Status);
        Given.AdvanceTo(new DateTimeOffset(2026, 11, 21, 0, 0, 0, ChinaTime.Offset));
        Assert.Equal(VoucherStatus.Expired, (await Given.VoucherAsync(code)).Status);
    }

    [Fact]
    public async Task R9_a_rolled_back_Shaoxing_activation_returns_to_the_activation_deadline()
    {
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("general", General(Shaoxing));
        await Given.InstitutionAsync("SCHOOL1", Yuecheng);
        var worker = await Given.WorkerAsync(1, region: Yuecheng);
        var code = await Given.ClaimAsync("general", worker);
        await Given.ClassAsync("SCHOOL1", "C1");
        await Given.VerifyAsync("SCHOOL1", code, worker, "C1");

        Ok(await Grains.GetGrain<OrleansVoucher.Grains.Institutions.IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(code, "wrong class"));

        Assert.Equal(new DateTimeOffset(2026, 6, 3, 0, 0, 0, ChinaTime.Offset), (await Given.VoucherAsync(code)).Deadline);
    }

    [Fact]
    public async Task R9_a_directed_voucher_not_claimed_by_the_end_of_the_window_expires_under_Shaoxing_rules()
    {
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.InstitutionAsync("SCHOOL1", Yuecheng);
        var closes = new DateTimeOffset(2026, 4, 1, 0, 0, 0, ChinaTime.Offset);
        await Given.CampaignAsync("directed", Directed(Shaoxing, Nursery) with { ClaimClosesAt = closes });
        var worker = await Given.WorkerAsync(1, region: Yuecheng);
        var roster = Grains.GetGrain<IRosterGrain>("directed/1");
        Ok(await roster.SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Nursery)])));
        var code = (await roster.ApproveAsync()).GetValueOrThrow().Outcomes.Single().VoucherCode!;

        Given.AdvanceTo(closes);

        Assert.Equal(VoucherStatus.Expired, (await Given.VoucherAsync(code)).Status);
        Rejected(RejectionCode.VoucherExpired, await Grains.GetGrain<IVoucherGrain>(code).ClaimAsync(worker));
    }

    [Fact]
    public async Task R9_expired_vouchers_are_counted_without_touching_any_of_them()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("general", General(Fujian));
        var codes = new List<string>();
        for (var n = 1; n <= 10; n++)
        {
            codes.Add(await Given.ClaimAsync("general", await Given.WorkerAsync(n)));
            Given.Advance(TimeSpan.FromDays(3));
        }

        await RestartAsync();
        Given.AdvanceTo(new DateTimeOffset(2026, 6, 10, 0, 0, 0, ChinaTime.Offset));
        var statistics = await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync();

        // Claimed every 3 days from 2 March: those claimed by 9 March (3 of them) have lapsed by 10 June.
        Assert.Equal(3, statistics.Expired);
        Assert.Equal(7, statistics.Current.Claimed);
        Assert.All(codes, code => Assert.False(Silo.Runtime.IsActive(Grains.GetGrain<IVoucherGrain>(code)), $"Voucher {code} was activated."));
        Given.AdvanceTo(new DateTimeOffset(2027, 1, 1, 0, 0, 0, ChinaTime.Offset));
        Assert.Equal(10, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync()).Expired);
        await Invariants.AssertStatisticsExactAsync(Grains, "general", codes);
    }
}

public sealed class ExpiryTestsOnMemory : ExpiryTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class ExpiryTestsOnPostgreSql(PostgresFixture fixture) : ExpiryTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
