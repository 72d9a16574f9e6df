using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Xunit.Abstractions;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.BulkIssuance;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>
/// Exactly once with two engines on one PostgreSQL: the engine running a job is paused (SIGSTOP) past its
/// lease, the other takes the job over, and the paused one then goes on with what it was doing — its
/// chunks in flight race the new runner's on the same rows, through its own activations of the same
/// grains. The lease only saves work; the version checks decide, and the job still ends with exactly the
/// vouchers it should have issued and exact counters.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BulkTwoEnginesTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private const string Campaign = "zombie";
    private const int Rows = 3000;
    private const int Cap = 2900;
    private const int PauseAfterIssued = 600;
    private const string NextCampaign = "zombie-next";

    [Fact]
    public async Task A_runner_paused_past_its_lease_and_resumed_beside_the_one_that_took_over_issues_nothing_twice()
    {
        var connectionString = await fixture.CreateDatabaseAsync("bulk_two_engines");
        var token = await BulkScenario.PrepareAsync(connectionString, (Campaign, Cap, 4), (NextCampaign, 100, 2));

        var (rows, invalid) = BulkScenario.MixedRoster(Rows);
        var settings = BulkScenario.EngineSettings(connectionString);

        await using var first = await EngineProcess.StartAsync(settings);
        await using var second = await EngineProcess.StartAsync(settings);
        using var firstClient = first.Client(token);
        using var secondClient = second.Client(token);

        // The upload goes to the first engine, whose runner is kicked and takes the job; the second's
        // runner finds the lease held at every poll.
        using var response = await BulkScenario.UploadAsync(firstClient, Campaign, BulkScenario.Csv(rows));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id;
        var atPause = await BulkStore.WatchJobAsync(connectionString, jobId, PauseAfterIssued, TimeSpan.FromMinutes(2));
        first.Pause();
        Assert.True(atPause.Status == "Running" && atPause.Issued < Cap, $"The job was not mid-way when the engine was paused: {atPause}");

        // The lease runs out; the second engine takes the job and issues on. (The paused engine may hold
        // locks of a commit it had in flight: then the second waits for them, and the race is between
        // that commit and the second engine's.) Watched in the store, which no lock keeps from being read.
        var paused = Stopwatch.StartNew();
        var (vouchers, recorded) = await BulkStore.IssuedSoFarAsync(connectionString, jobId);
        while (paused.Elapsed < TimeSpan.FromSeconds(6) && recorded < atPause.Issued + 400)
        {
            await Task.Delay(100);
            (vouchers, recorded) = await BulkStore.IssuedSoFarAsync(connectionString, jobId);
        }

        output.WriteLine($"Paused at {atPause.Issued} issued; {paused.Elapsed.TotalSeconds:0.0} s later the store held {vouchers} vouchers and the job {recorded} recorded as issued.");
        first.Resume();

        await BulkScenario.AssertFinishedExactlyAsync(secondClient, jobId, Rows, Cap, invalid, first.Output + second.Output);

        // Either engine reads the same job now.
        var seenByFirst = await BulkScenario.JobAsync(firstClient, jobId);
        Assert.Equal((BulkJobStatus.Completed, Rows, Cap, Rows - Cap), (seenByFirst.Status, seenByFirst.RowsRead, seenByFirst.Issued, seenByFirst.Rejected));
        await BulkStore.AssertIssuedExactlyOnceAsync(connectionString, Campaign, Cap);

        // The next upload goes to the engine that did not take the first: it registers its job beside
        // what the other engine wrote, and either engine's runner may run it.
        var next = Enumerable.Range(Rows, 100).Select(n => BulkScenario.Row(BulkScenario.Citizen(n))).ToList();
        using var nextResponse = await BulkScenario.UploadAsync(secondClient, NextCampaign, BulkScenario.Csv(next));
        Assert.Equal(HttpStatusCode.Accepted, nextResponse.StatusCode);
        var nextJob = await BulkScenario.FinishedAsync(firstClient, (await nextResponse.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id, TimeSpan.FromMinutes(1));
        Assert.Equal((BulkJobStatus.Completed, 100, 100, 0), (nextJob.Status, nextJob.RowsRead, nextJob.Issued, nextJob.Rejected));
    }
}
