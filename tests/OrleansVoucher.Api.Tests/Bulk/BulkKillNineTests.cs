using System.Net;
using System.Net.Http.Json;
using Xunit.Abstractions;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.BulkIssuance;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>
/// Exactly once across a crash: an engine issuing a job is killed with SIGKILL mid-job, a new engine on
/// the same PostgreSQL resumes the job from its stored upload, and the job ends with exactly the
/// vouchers it should have issued — one per eligible worker, none twice, none missing — and exact counters.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BulkKillNineTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private const string Campaign = "kill9";
    private const int Rows = 3000;
    private const int Cap = 2900;
    private const int KillAfterIssued = 700;

    /// <summary>What a SIGKILLed process exits with: 128 + 9.</summary>
    private const int KilledBySigkill = 137;

    [Fact]
    public async Task A_job_killed_mid_way_resumes_after_restart_and_issues_exactly_the_vouchers_it_should()
    {
        var connectionString = await fixture.CreateDatabaseAsync("bulk_kill9");
        var token = await BulkScenario.PrepareAsync(connectionString, (Campaign, Cap, 4));

        // 3000 rows: 20 with a bad citizen id, 30 naming a worker a second time, 2950 distinct workers
        // for 2900 vouchers, so 50 more find the stock exhausted.
        var (rows, invalid) = BulkScenario.MixedRoster(Rows);

        var settings = BulkScenario.EngineSettings(connectionString);

        string jobId;
        (long Issued, string Status) atKill;
        await using (var engine = await EngineProcess.StartAsync(settings))
        {
            using var client = engine.Client(token);
            using var response = await BulkScenario.UploadAsync(client, Campaign, BulkScenario.Csv(rows));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            jobId = (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id;
            atKill = await BulkStore.WatchJobAsync(connectionString, jobId, KillAfterIssued, TimeSpan.FromMinutes(2));
            Assert.Equal(KilledBySigkill, await engine.KillAsync());
        }

        Assert.True(atKill.Status == "Running" && atKill.Issued < Cap, $"The job was not mid-way when the engine was killed: {atKill}");
        var (vouchersAtKill, recordedAtKill) = await BulkStore.IssuedSoFarAsync(connectionString, jobId);
        Assert.True(vouchersAtKill >= recordedAtKill, $"{vouchersAtKill} vouchers but {recordedAtKill} recorded as issued.");
        output.WriteLine($"At the kill: {vouchersAtKill} vouchers stored, {recordedAtKill} recorded as issued by the job; the resumed job recognizes the difference.");

        await using (var engine = await EngineProcess.StartAsync(settings))
        {
            using var client = engine.Client(token);
            await BulkScenario.AssertFinishedExactlyAsync(client, jobId, Rows, Cap, invalid, engine.Output);
        }

        // The store: one voucher per worker, each once, each announced once, and the issuers' counters agree.
        await BulkStore.AssertIssuedExactlyOnceAsync(connectionString, Campaign, Cap);
    }
}
