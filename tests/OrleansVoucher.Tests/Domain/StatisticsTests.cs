using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Settlement;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Dispatch indicators by campaign and region, exact at all times (R19).</summary>
public abstract class StatisticsTests : DomainTestBase
{
    [Fact]
    public async Task R19_indicators_count_issued_claimed_used_and_the_four_rates()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian, quantity: 100));
        await Given.CampaignAsync("directed", Directed(Fujian, Ecommerce, quantity: 100));
        var workers = await Task.WhenAll(Enumerable.Range(1, 40).Select(n => Given.WorkerAsync(n)));
        var codes = new List<string>();
        foreach (var worker in workers)
        {
            codes.Add(await Given.ClaimAsync("general", worker));
        }

        await Given.ClassAsync("SCHOOL1", "C1");
        for (var i = 0; i < 10; i++)
        {
            await Given.VerifyAsync("SCHOOL1", codes[i], workers[i], "C1");
        }

        var directedWorkers = await Task.WhenAll(Enumerable.Range(100, 25).Select(n => Given.WorkerAsync(n)));
        Ok(await Grains.GetGrain<IRosterGrain>("directed/1").SubmitAsync(new RosterSubmission("SCHOOL1", [.. directedWorkers.Select(w => new RosterEntry(w, Ecommerce))])));
        Ok(await Grains.GetGrain<IRosterGrain>("directed/1").ApproveAsync());

        var general = await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync();
        var region = await Grains.GetGrain<IRegionStatisticsGrain>(Fujian).GetAsync();

        Assert.Equal(100, general.Issued);
        Assert.Equal(40, general.Claimed);
        Assert.Equal(10, general.Activated);
        Assert.Equal(0.4m, general.ClaimRate);
        Assert.Equal(0.1m, general.UseRate);
        Assert.Equal(1m, general.FaceValueShare);
        Assert.Equal(40 * 50_000, general.IssuedAmountFen);
        Assert.Equal(new StatusCounts(0, 30, 10, 0, 0, 0, 0), general.Current);

        Assert.Equal(125, region.Issued);
        Assert.Equal(100, region.IssuedGeneral);
        Assert.Equal(0.8m, region.GeneralShare);
        Assert.Equal(0.8m, region.FaceValueShare);
        Assert.Equal(25, region.Current.Issued);
        Assert.Equal(40 * 50_000 + (25 * 200_000), region.IssuedAmountFen);
    }

    [Fact]
    public async Task R19_a_trainee_who_rates_the_course_again_is_counted_once_in_the_evaluation_rate()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.CompletedAsync("general", worker, "C1");
        var schoolClass = Grains.GetGrain<IClassGrain>(ClassKey.Of("SCHOOL1", "C1"));

        Ok(await schoolClass.RateCourseAsync(new Evaluation(worker, 2, "too fast")));
        Ok(await schoolClass.RateCourseAsync(new Evaluation(worker, 4, "better on reflection")));

        var general = await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync();
        Assert.Equal(1, general.Completed);
        Assert.Equal(1, general.Evaluated);
        Assert.Equal(1m, general.EvaluationRate);
        await Invariants.AssertStatisticsExactAsync(Grains, "general", [code]);
    }

    [Fact]
    public async Task R19_live_figures_equal_a_recount_and_a_scan_through_the_whole_life_cycle_and_a_restart()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        var codes = new List<string>();
        var workers = await Task.WhenAll(Enumerable.Range(1, 8).Select(n => Given.WorkerAsync(n)));
        var settled = await Given.CompletedAsync("general", workers[0], "S1");
        var completed = await Given.CompletedAsync("general", workers[1], "S2");
        codes.AddRange([settled, completed]);
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(settled, TrainingPart.Whole)));
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ApproveSettlementAsync(settled, TrainingPart.Whole));
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").ClaimSettlementAsync(new SettlementRequest(completed, TrainingPart.Whole)));
        var revoked = await Given.ClaimAsync("general", workers[2]);
        Ok(await Grains.GetGrain<IVoucherGrain>(revoked).RevokeAsync("impersonation"));
        var rolledBack = await Given.ClaimAsync("general", workers[3]);
        await Given.ClassAsync("SCHOOL1", "R1", startsIn: TimeSpan.FromDays(30));
        await Given.VerifyAsync("SCHOOL1", rolledBack, workers[3], "R1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(rolledBack, "changed mind"));
        var activated = await Given.ClaimAsync("general", workers[4]);
        await Given.VerifyAsync("SCHOOL1", activated, workers[4], "R1");
        codes.AddRange([revoked, rolledBack, activated]);
        Given.Advance(TimeSpan.FromDays(60));
        codes.Add(await Given.ClaimAsync("general", workers[5]));
        Given.Advance(TimeSpan.FromDays(60));
        codes.Add(await Given.ClaimAsync("general", workers[6]));

        // By now the rolled-back and the activated vouchers have passed their June deadline.
        var statistics = await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync();
        Assert.Equal(new StatusCounts(0, 2, 0, 1, 1, 2, 1), statistics.Current);
        Assert.Equal(2, statistics.Completed);
        Assert.Equal(1, statistics.Settled);
        Assert.Equal(50_000, statistics.SettledAmountFen);
        Assert.Equal(50_000, statistics.PendingSettlementFen);
        await Invariants.AssertStatisticsExactAsync(Grains, "general", codes);

        await RestartAsync();
        await Invariants.AssertStatisticsExactAsync(Grains, "general", codes);
        Assert.Equal(statistics with { AsOf = default }, (await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync()) with { AsOf = default });
    }

    [Fact]
    public async Task R19_statistics_stay_exact_when_a_commit_lands_but_its_caller_never_hears()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        var workers = await Task.WhenAll(Enumerable.Range(1, 3).Select(n => Given.WorkerAsync(n)));
        var codes = new List<string> { await Given.ClaimAsync("general", workers[0]) };
        await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync();
        await RestartAsync(inner => new FaultyGrainStorage(inner, Fault.FailAfterCommit, key => key.GrainType == "worker" && key.GrainKey == workers[1]));

        await Assert.ThrowsAnyAsync<Exception>(() => Given.TryClaimAsync("general", workers[1]));
        codes.Add(await Given.ClaimAsync("general", workers[2]));
        await RestartAsync();

        codes.AddRange((await Given.WorkerViewAsync(workers[1])).Vouchers.Select(v => v.Code));
        Assert.Equal(3, codes.Count);
        var statistics = await Grains.GetGrain<ICampaignStatisticsGrain>("general").GetAsync();
        Assert.Equal(3, statistics.Claimed);
        await Invariants.AssertStatisticsExactAsync(Grains, "general", codes);
    }

    [Fact]
    public async Task R19_region_figures_sum_the_campaigns_of_the_region_and_of_its_cities_and_districts()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("province", General(Fujian, quantity: 10));
        await Given.CampaignAsync("district", General(Gulou, quantity: 20));
        await Given.ClaimAsync("province", await Given.WorkerAsync(1));
        await Given.ClaimAsync("district", await Given.WorkerAsync(2));

        var province = await Grains.GetGrain<IRegionStatisticsGrain>(Fujian).GetAsync();
        var city = await Grains.GetGrain<IRegionStatisticsGrain>("350100").GetAsync();
        var district = await Grains.GetGrain<IRegionStatisticsGrain>(Gulou).GetAsync();

        Assert.Equal((30, 2, "region/350000"), (province.Issued, province.Claimed, province.Scope));
        Assert.Equal((20, 1), (city.Issued, city.Claimed));
        Assert.Equal((20, 1), (district.Issued, district.Claimed));
        Assert.Equal(0, (await Grains.GetGrain<IRegionStatisticsGrain>(Shanghai).GetAsync()).Issued);
    }
}

public sealed class StatisticsTestsOnMemory : StatisticsTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class StatisticsTestsOnPostgreSql(PostgresFixture fixture) : StatisticsTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
