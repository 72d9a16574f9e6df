using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Xunit.Abstractions;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Vouchers;

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
        var now = DateTimeOffset.UtcNow;
        string token;
        await using (var setup = new EngineFactory(EngineFactory.PostgreSqlSettings(connectionString)))
        {
            await BulkScenario.RegionAsync(setup.Grains, now);
            await BulkScenario.CampaignAsync(setup.Grains, Campaign, now, IssuanceMode.Directed, quantity: Cap, issuers: 4);
            token = setup.Token("authority", "hr-fujian", BulkScenario.Province, TimeSpan.FromHours(2));
        }

        // 3000 rows: 20 with a bad citizen id, 30 naming a worker a second time, 2950 distinct workers
        // for 2900 vouchers, so 50 more find the stock exhausted.
        var rows = new List<string>();
        var invalid = 0;
        for (var i = 0; i < Rows; i++)
        {
            if (i % 150 == 7)
            {
                rows.Add(BulkScenario.Row("350102199001011230"));
                invalid++;
            }
            else
            {
                rows.Add(BulkScenario.Row(BulkScenario.Citizen(i % 100 == 50 ? i - 1 : i)));
            }
        }

        var settings = new Dictionary<string, string>
        {
            ["Silo:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:PostgreSql"] = connectionString,
            ["BulkIssuance:ChunkRows"] = "100",
            ["BulkIssuance:MaxIssuerBatch"] = "40",
            ["BulkIssuance:LeaseDuration"] = "00:00:02",
            ["BulkIssuance:PollInterval"] = "00:00:00.200",
        };

        string jobId;
        BulkJobView atKill;
        await using (var engine = await EngineProcess.StartAsync(settings))
        {
            using var client = engine.Client(token);
            using var response = await BulkScenario.UploadAsync(client, Campaign, BulkScenario.Csv(rows));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            jobId = (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id;
            while (true)
            {
                atKill = await BulkScenario.JobAsync(client, jobId);
                if (atKill.Issued >= KillAfterIssued || atKill.Status == BulkJobStatus.Completed)
                {
                    break;
                }

                await Task.Delay(10);
            }

            Assert.Equal(KilledBySigkill, await engine.KillAsync());
        }

        Assert.True(atKill.Status == BulkJobStatus.Running && atKill.Issued < Cap, $"The job was not mid-way when the engine was killed: {atKill}");
        var (vouchersAtKill, recordedAtKill) = await IssuedSoFarAsync(connectionString, jobId);
        Assert.True(vouchersAtKill >= recordedAtKill, $"{vouchersAtKill} vouchers but {recordedAtKill} recorded as issued.");
        output.WriteLine($"At the kill: {vouchersAtKill} vouchers stored, {recordedAtKill} recorded as issued by the job; the resumed job recognizes the difference.");

        await using (var engine = await EngineProcess.StartAsync(settings))
        {
            using var client = engine.Client(token);
            var job = await BulkScenario.FinishedAsync(client, jobId, TimeSpan.FromMinutes(3));
            Assert.True(job.Status == BulkJobStatus.Completed, $"{job}{Environment.NewLine}{engine.Output}");
            Assert.Equal((Rows, Cap, Rows - Cap), (job.RowsRead, job.Issued, job.Rejected));

            var rejected = await BulkScenario.RejectionsAsync(client, jobId);
            Assert.Equal(Rows - Cap, rejected.Count);
            Assert.Equal(invalid, rejected.Values.Count(c => c == "invalid-citizen-id"));
            Assert.All(rejected.Values, c => Assert.Contains(c, new[] { "invalid-citizen-id", "duplicate-row", "stock-exhausted" }));
        }

        // The store: one voucher per worker, each once, each announced once, and the issuers' counters agree.
        await using var data = NpgsqlDataSource.Create(connectionString);
        Assert.Equal(Cap, await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'"));
        Assert.Equal(Cap, await ScalarAsync(data, "SELECT count(DISTINCT convert_from(payload, 'UTF8')::jsonb->>'citizenId') FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'"));
        Assert.Equal(Cap, await ScalarAsync(data, "SELECT count(DISTINCT convert_from(payload, 'UTF8')::jsonb->>'rosterId') FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'"));
        const string BulkEvents = "SELECT convert_from(payload, 'UTF8')::jsonb AS e FROM orleans_voucher.stream_event WHERE stream = 'campaign/" + Campaign + "' AND convert_from(payload, 'UTF8')::jsonb->>'type' = 'VouchersIssuedInBulk'";
        Assert.Equal(Cap, await ScalarAsync(data, $"SELECT coalesce(sum(jsonb_array_length(e->'issued')), 0) FROM ({BulkEvents}) AS b"));
        Assert.Equal(Cap, await ScalarAsync(data, $"SELECT count(DISTINCT v->>'code') FROM ({BulkEvents}) AS b, jsonb_array_elements(e->'issued') AS v"));
        Assert.Equal(Cap, await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.stream_event WHERE stream LIKE 'worker/%' AND convert_from(payload, 'UTF8')::jsonb->>'type' = 'VoucherIssued'"));
        Assert.Equal(Cap, await ScalarAsync(data, "SELECT coalesce(sum((convert_from(payload, 'UTF8')::jsonb->>'usedQuantity')::int), 0) FROM orleans_voucher.grain_state WHERE grain_type = 'campaign-issuer'"));
        Assert.Equal(0, await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = 'worker' AND jsonb_array_length(jsonb_path_query_array(convert_from(payload, 'UTF8')::jsonb, '$.held.*')) > 1"));
    }

    /// <summary>The vouchers in the store and the issued count the job had recorded, right after the kill.</summary>
    private static async Task<(long Vouchers, long Recorded)> IssuedSoFarAsync(string connectionString, string jobId)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        var vouchers = await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'");
        var recorded = await ScalarAsync(data, $"SELECT (convert_from(payload, 'UTF8')::jsonb->>'issued')::bigint FROM orleans_voucher.grain_state WHERE grain_type = 'bulk-job' AND grain_key = '{jobId}'");
        return (vouchers, recorded);
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
