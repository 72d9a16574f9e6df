using OrleansVoucher.Grains;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>
/// A bulk batch decides a worker the engine has never seen without activating it, and every other
/// worker through its grain, under the same rules (R6, R7) and exactly once; a writer that gets to a
/// worker between the batch's read and its commit never yields a second voucher or a stale view.
/// </summary>
public abstract class BulkIssuanceTests : DomainTestBase
{
    [Fact]
    public async Task R7_a_batch_issues_new_workers_without_activating_them_asks_known_ones_and_refuses_a_live_voucher()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("earlier", General(Fujian));
        await Given.CampaignAsync("bulk", General(Fujian));
        var holder = await Given.WorkerAsync(1);
        var earlier = await Given.ClaimAsync("earlier", holder);
        var known = await Given.WorkerAsync(2);
        var fresh = Enumerable.Range(10, 20).Select(n => Citizen(n)).ToList();
        await RestartAsync();

        var results = await IssueAsync("bulk", "job-1", [holder, known, .. fresh]);

        Assert.Equal(BulkRejectionCodes.Of(RejectionCode.LiveVoucherHeld), results[holder].Rejection?.Code);
        var issued = fresh.Append(known).ToDictionary(id => id, id => results[id].VoucherCode ?? throw new InvalidOperationException($"{id}: {results[id].Rejection}"));
        Assert.Equal(issued.Count, issued.Values.Distinct().Count());

        // The new workers were written without an activation; the known ones were asked.
        Assert.All(fresh, id => Assert.False(Silo.Runtime.IsActive<IWorkerGrain>(id)));
        Assert.True(Silo.Runtime.IsActive<IWorkerGrain>(known));
        foreach (var (id, code) in issued)
        {
            var view = await Given.WorkerViewAsync(id);
            Assert.Equal(code, Assert.Single(view.Vouchers).Code);
            Assert.Equal(id == known ? "Worker 2" : $"Worker {id}", view.Attributes.Name);
            var voucher = await Given.VoucherAsync(code);
            Assert.Equal(id, voucher.CitizenId);
            Assert.Equal(VoucherStatus.Claimed, voucher.Status);
        }

        Assert.Equal(earlier, Assert.Single((await Given.WorkerViewAsync(holder)).Vouchers).Code);

        // Exactly once: the same rows again answer with their vouchers and issue none.
        await RestartAsync();
        var again = await IssueAsync("bulk", "job-1", [holder, known, .. fresh]);
        Assert.All(issued, pair => Assert.Equal(pair.Value, again[pair.Key].VoucherCode));
        Assert.Equal(issued.Count, (await Grains.GetGrain<ICampaignStatisticsGrain>("bulk").RecountAsync()).Claimed);
    }

    [Fact]
    public async Task R7_a_worker_another_process_creates_between_read_and_commit_is_decided_again_and_gets_no_second_voucher()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("earlier", General(Fujian));
        await Given.CampaignAsync("bulk", General(Fujian));
        var contested = Citizen(50);
        var fresh = Enumerable.Range(51, 5).Select(n => Citizen(n)).ToList();
        DomainSilo? other = null;
        string? otherVoucher = null;
        InterleavingGrainStorage? storage = null;
        await RestartAsync(inner => storage = new InterleavingGrainStorage(inner, InsertsWorker(contested), async () =>
        {
            // Another process registers the worker and issues it a voucher of another campaign.
            Ok(await other!.Grains.GetGrain<IWorkerGrain>(contested).RegisterAsync(new WorkerAttributes { Name = "Registered elsewhere" }));
            var claim = await other.Grains.GetGrain<ICampaignIssuerGrain>(CampaignIssuers.KeyFor("earlier", 0)).ClaimAsync(new ClaimRequest(contested));
            otherVoucher = claim.GetValueOrThrow().VoucherCode;
        }));
        await using (other = await StartAnotherSiloAsync())
        {
            var results = await IssueAsync("bulk", "job-2", [contested, .. fresh]);

            Assert.True(storage!.Fired);
            Assert.NotNull(otherVoucher);
            Assert.Equal(BulkRejectionCodes.Of(RejectionCode.LiveVoucherHeld), results[contested].Rejection?.Code);
            Assert.All(fresh, id => Assert.NotNull(results[id].VoucherCode));

            // The row was decided again through the worker's grain, on what the store holds.
            Assert.True(Silo.Runtime.IsActive<IWorkerGrain>(contested));
        }

        await RestartAsync();
        var view = await Given.WorkerViewAsync(contested);
        Assert.Equal("Registered elsewhere", view.Attributes.Name);
        Assert.Equal(otherVoucher, Assert.Single(view.Vouchers).Code);
        Assert.Equal(fresh.Count, (await Grains.GetGrain<ICampaignStatisticsGrain>("bulk").RecountAsync()).Claimed);
    }

    [Fact]
    public async Task A_worker_activated_here_between_read_and_commit_shows_its_voucher_afterwards()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("bulk", General(Fujian));
        var late = Citizen(60);
        Result<WorkerView>? before = null;
        await RestartAsync(inner => new InterleavingGrainStorage(inner, InsertsWorker(late), async () =>
            before = await CurrentGrains.GetGrain<IWorkerGrain>(late).GetAsync()));

        var results = await IssueAsync("bulk", "job-3", [late, Citizen(61)]);

        // The activation loaded the worker before the batch's record of it was durable...
        Rejected(RejectionCode.WorkerNotRegistered, before!);

        // ...and was told of the commit, so what it shows now is what the store holds.
        var view = await Given.WorkerViewAsync(late);
        Assert.Equal(results[late].VoucherCode, Assert.Single(view.Vouchers).Code);
    }

    [Fact]
    public async Task A_worker_active_here_with_no_record_is_asked_through_its_grain_and_shows_its_voucher()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("bulk", General(Fujian));
        var active = Citizen(70);
        Rejected(RejectionCode.WorkerNotRegistered, await Grains.GetGrain<IWorkerGrain>(active).GetAsync());

        var results = await IssueAsync("bulk", "job-4", [active, Citizen(71)]);

        var view = await Given.WorkerViewAsync(active);
        Assert.Equal(results[active].VoucherCode, Assert.Single(view.Vouchers).Code);
        Assert.Equal($"Worker {active}", view.Attributes.Name);
    }

    [Fact]
    public async Task Jobs_registered_through_two_engines_are_listed_by_both_and_none_is_lost()
    {
        await using var other = await StartAnotherSiloAsync();
        var here = Grains.GetGrain<IBulkJobRegistryGrain>(IBulkJobRegistryGrain.Key);
        var there = other.Grains.GetGrain<IBulkJobRegistryGrain>(IBulkJobRegistryGrain.Key);
        Assert.Empty(await here.GetActiveAsync());
        Assert.Empty(await there.GetActiveAsync());

        // Each engine's activation changes the registry after the other's did.
        await here.AddAsync("job-a");
        await there.AddAsync("job-b");
        await here.AddAsync("job-c");
        await there.RemoveAsync("job-a");

        Assert.Equal(["job-b", "job-c"], await here.GetActiveAsync());
        Assert.Equal(["job-b", "job-c"], await there.GetActiveAsync());
    }

    [Fact]
    public async Task Jobs_created_through_two_engines_at_once_are_all_listed_under_their_campaign_in_order()
    {
        await using var other = await StartAnotherSiloAsync();
        var request = new BulkJobRequest("bulk", Fujian, BulkFormat.Csv, "authority:test", null);
        Ok(await Grains.GetGrain<IBulkJobGrain>("job-0").CreateAsync(request));
        Assert.Equal(["job-0"], await other.Grains.GetGrain<ICampaignJobsGrain>("bulk").ListAsync());

        // Both engines' activations of the list are loaded and then raced.
        var created = await Task.WhenAll(Enumerable.Range(1, 16).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Grains : other.Grains).GetGrain<IBulkJobGrain>($"job-{i}").CreateAsync(request))));
        Ok(await other.Grains.GetGrain<IBulkJobGrain>("job-17").CreateAsync(request with { CampaignId = "another" }));

        Assert.All(created, Ok);
        var here = await Grains.GetGrain<ICampaignJobsGrain>("bulk").ListAsync();
        Assert.Equal(Enumerable.Range(0, 17).Select(i => $"job-{i}").Order(StringComparer.Ordinal), here.Order(StringComparer.Ordinal));
        Assert.Equal("job-0", here[0]);
        Assert.Equal(here, await other.Grains.GetGrain<ICampaignJobsGrain>("bulk").ListAsync());
        Assert.Equal(["job-17"], await Grains.GetGrain<ICampaignJobsGrain>("another").ListAsync());
    }

    [Fact]
    public async Task A_job_changed_through_one_engine_is_answered_as_it_stands_by_the_other()
    {
        await using var other = await StartAnotherSiloAsync();
        var here = Grains.GetGrain<IBulkJobGrain>("job-5");
        var there = other.Grains.GetGrain<IBulkJobGrain>("job-5");
        Ok(await here.CreateAsync(new BulkJobRequest("bulk", Fujian, BulkFormat.Csv, "authority:test", null)));
        Assert.Equal(BulkJobStatus.Receiving, (await there.GetAsync())!.Status);

        Ok(await here.CancelAsync());

        Assert.Equal(BulkJobStatus.Cancelled, (await there.GetAsync())!.Status);
        Rejected(RejectionCode.InvalidRequest, await there.CancelAsync());
        Assert.Empty(await other.Grains.GetGrain<IBulkJobRegistryGrain>(IBulkJobRegistryGrain.Key).GetActiveAsync());
    }

    /// <summary>Whether a unit creates the worker's record (a batch writing it without its grain).</summary>
    private static Func<WriteUnit, bool> InsertsWorker(string citizenId) =>
        unit => unit.InsertsInBulk && unit.States.Any(s => s.Key == WorkerGrain.StateKeyOf(citizenId) && s.ExpectedVersion == 0);

    /// <summary>One batch of a job at the campaign's first issuer: a row per worker, in order, each naming the worker's attributes.</summary>
    private async Task<Dictionary<string, BulkIssueResult>> IssueAsync(string campaignId, string jobId, IReadOnlyList<string> citizenIds)
    {
        var items = citizenIds.Select((id, i) => new BulkIssueItem(i + 1, id, null, null, null, new WorkerAttributes { Name = $"Worker {id}" })).ToList();
        var results = await Grains.GetGrain<IBulkIssuer>(CampaignIssuers.KeyFor(campaignId, 0)).IssueBatchAsync(new BulkIssueBatch(jobId, items));
        Assert.All(results, r => Assert.False(r.Retry));
        return results.ToDictionary(r => citizenIds[(int)r.RowNumber - 1]);
    }
}

public sealed class BulkIssuanceTestsOnMemory : BulkIssuanceTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class BulkIssuanceTestsOnPostgreSql(PostgresFixture fixture) : BulkIssuanceTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
