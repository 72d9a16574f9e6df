using System.Net;
using System.Net.Http.Json;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Data.Sqlite;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Testing;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>Uploading rosters: rows read, validated, issued under the rules, rejections downloadable; keys, formats and scope.</summary>
public sealed class BulkUploadTests : IAsyncLifetime
{
    private static readonly TimeSpan s_finish = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string?> s_settings = new()
    {
        ["BulkIssuance:ChunkRows"] = "50",
        ["BulkIssuance:MaxIssuerBatch"] = "20",
        ["BulkIssuance:PollInterval"] = "00:00:00.200",

        // Rosters of a few hundred rows take a fraction of a second; the one cancelled mid-way (4,000
        // rows) is still running two seconds after its upload was answered, however fast the machine.
        ["BulkIssuance:MaxRowsPerSecond"] = "2000",
    };

    private readonly Dictionary<string, string?> _settings = new(EngineFactory.SqliteSettings("bulk").Concat(s_settings));
    private readonly EngineFactory _engine;

    private HttpClient _authority = null!;

    public BulkUploadTests() => _engine = new EngineFactory(_settings);

    public async Task InitializeAsync()
    {
        _authority = _engine.CreateClient("authority", "hr-fujian", BulkScenario.Province);
        await BulkScenario.RegionAsync(_engine.Grains, DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    /// <summary>Uploads <paramref name="rows"/> for <paramref name="institutionId"/> and waits for the job: the job and its rejections.</summary>
    private async Task<(BulkJobView Job, Dictionary<long, string> Rejected)> FinishedUploadAsync(string campaignId, IEnumerable<string> rows, string institutionId)
    {
        using var response = await BulkScenario.UploadAsync(_authority, campaignId, BulkScenario.Csv(rows), institutionId: institutionId);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json);
        var job = await BulkScenario.FinishedAsync(_authority, accepted!.Id, s_finish);
        return (job, await BulkScenario.RejectionsAsync(_authority, accepted.Id));
    }

    [Fact]
    public async Task A_directed_roster_is_issued_once_per_worker_and_its_bad_rows_are_rejected_with_their_row_numbers()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-a", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 1000);
        var rows = Enumerable.Range(0, 120).Select(i => BulkScenario.Row(BulkScenario.Citizen(i))).ToList();
        rows[10] = BulkScenario.Row("350102199001011230");                        // row 11: wrong check character
        rows[40] = $"{BulkScenario.Citizen(40)},\"Li, \"\"Xiao\"\"\",{BulkScenario.Nursery},5";   // row 41: quoted name, issued
        rows[60] = BulkScenario.Row(BulkScenario.Citizen(3));                     // row 61: the worker of row 4
        rows[70] = $"{BulkScenario.Citizen(70)},张三";                              // row 71: too few fields
        rows[80] = $"{BulkScenario.Citizen(80)},张三,{BulkScenario.Electrician},5";  // row 81: the institution may not train it

        using var response = await BulkScenario.UploadAsync(_authority, "directed-a", BulkScenario.Csv(rows));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json);
        Assert.Equal($"/api/v1/jobs/{accepted!.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal(120, accepted.RowsRead);

        var job = await BulkScenario.FinishedAsync(_authority, accepted.Id, s_finish);
        Assert.Equal(BulkJobStatus.Completed, job.Status);
        Assert.Equal((116, 4), (job.Issued, job.Rejected));
        Assert.Equal(100, job.ProgressPercent);
        var rejected = await BulkScenario.RejectionsAsync(_authority, accepted.Id);

        // Rows 4 and 61 name one worker: whichever is issued first, the other is the duplicate.
        var duplicate = rejected.ContainsKey(61) ? 61 : 4;
        Assert.Equal(
            new Dictionary<long, string> { [11] = "invalid-citizen-id", [duplicate] = "duplicate-row", [71] = "malformed-row", [81] = "occupation-not-allowed" },
            rejected);

        var worker = (await _engine.Grains.GetGrain<IWorkerGrain>(BulkScenario.Citizen(3)).GetAsync()).GetValueOrThrow();
        var held = Assert.Single(worker.Vouchers);
        Assert.Equal(VoucherStatus.Issued, held.Status);
        Assert.Equal("Li, \"Xiao\"", (await _engine.Grains.GetGrain<IWorkerGrain>(BulkScenario.Citizen(40)).GetAsync()).GetValueOrThrow().Attributes.Name);
        var voucher = (await _engine.Grains.GetGrain<IVoucherGrain>(held.Code).GetAsync()).GetValueOrThrow();
        Assert.Equal((BulkScenario.Citizen(3), BulkScenario.Institution, BulkScenario.Nursery), (voucher.CitizenId, voucher.InstitutionId, voucher.OccupationCode));
    }

    [Fact]
    public async Task The_metrics_count_the_rows_and_chunks_the_runner_recorded()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-metrics", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 1000);
        var rows = Enumerable.Range(0, 120).Select(i => BulkScenario.Row(BulkScenario.Citizen(6000 + i))).ToList();
        rows[5] = BulkScenario.Row(BulkScenario.Citizen(6001));     // the worker of row 2 again: rejected at issuance
        rows[7] = BulkScenario.Row("350102199001011230");           // a wrong check character: rejected when read

        var (job, _) = await FinishedUploadAsync("directed-metrics", rows, BulkScenario.Institution);
        using var response = await _engine.CreateClient("operator", "ops").GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        // 120 rows in chunks of 50: three chunks, 118 issued; only the duplicate was rejected at issuance.
        Assert.Equal((118, 2), (job.Issued, job.Rejected));
        Assert.Contains("orleansvoucher_bulk_rows_total{outcome=\"issued\"} 118\n", text, StringComparison.Ordinal);
        Assert.Contains("orleansvoucher_bulk_rows_total{outcome=\"rejected\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orleansvoucher_bulk_chunks_total 3\n", text, StringComparison.Ordinal);
        Assert.Contains("orleansvoucher_bulk_chunk_duration_seconds_count 3\n", text, StringComparison.Ordinal);
        Assert.Contains("orleansvoucher_bulk_jobs_running 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directed_upload_for_an_institution_outside_the_campaigns_region_issues_nothing()
    {
        await BulkScenario.InstitutionAsync(_engine.Grains, "instbulksh", "310101", BulkScenario.Nursery);
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-away", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 1000);
        var rows = Enumerable.Range(3000, 3).Select(i => BulkScenario.Row(BulkScenario.Citizen(i)));

        var (job, rejected) = await FinishedUploadAsync("directed-away", rows, "instbulksh");

        Assert.Equal((0, 3), (job.Issued, job.Rejected));
        Assert.All(rejected.Values, code => Assert.Equal("out-of-region", code));
    }

    [Fact]
    public async Task A_directed_row_for_an_occupation_outside_the_campaigns_catalogue_is_rejected()
    {
        // Listed for the institution, but not a subsidised programme of the region.
        await BulkScenario.InstitutionAsync(_engine.Grains, "instbulk02", BulkScenario.District, BulkScenario.Nursery, "4-07-05-01");
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-uncatalogued", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 1000);
        string[] rows = [BulkScenario.Row(BulkScenario.Citizen(3100)), $"{BulkScenario.Citizen(3101)},张三,4-07-05-01,5"];

        var (job, rejected) = await FinishedUploadAsync("directed-uncatalogued", rows, "instbulk02");

        Assert.Equal((1, 1), (job.Issued, job.Rejected));
        Assert.Equal(new Dictionary<long, string> { [2] = "occupation-not-in-catalogue" }, rejected);
    }

    [Fact]
    public async Task A_roster_sent_without_a_length_is_stored_chunk_by_chunk_while_it_arrives()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-streamed", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 1000);
        var rows = Enumerable.Range(2000, 200).Select(i => BulkScenario.Row(BulkScenario.Citizen(i))).ToList();
        var body = new Pipe();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/directed-streamed/uploads?institutionId={BulkScenario.Institution}")
        {
            Content = new StreamContent(body.Reader.AsStream()) { Headers = { ContentType = new("text/csv") } },
        };
        request.Headers.TransferEncodingChunked = true;

        // The test server's own client: the factory's default one buffers a body before sending it.
        using var client = _engine.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _engine.Token("authority", "hr-fujian", BulkScenario.Province));
        var sending = client.SendAsync(request);

        // Three chunks' worth of rows, and the body left open: they are stored before it ends.
        await body.Writer.WriteAsync(BulkScenario.Csv(rows.Take(150)));
        var deadline = DateTime.UtcNow + s_finish;
        while (await StoredChunksAsync() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "No chunk of the open upload was stored.");
            Assert.False(sending.IsCompleted, "The upload was answered before its body ended.");
            await Task.Delay(20);
        }

        await body.Writer.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(rows.Skip(150).Select(r => r + "\n"))));
        await body.Writer.CompleteAsync();
        using var response = await sending;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await BulkScenario.FinishedAsync(_authority, (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id, s_finish);
        Assert.Equal((BulkJobStatus.Completed, 200, 200), (job.Status, job.RowsRead, job.Issued));
    }

    [Fact]
    public async Task A_roster_sent_without_a_length_that_passes_the_limit_is_413_and_nothing_of_it_is_issued()
    {
        await using var engine = new EngineFactory(new Dictionary<string, string?>(EngineFactory.SqliteSettings("bulk-limit").Concat(s_settings)) { ["Api:Bulk:MaxUploadBytes"] = "4096" });
        var authority = engine.CreateClient("authority", "hr-fujian", BulkScenario.Province);
        await BulkScenario.RegionAsync(engine.Grains, DateTimeOffset.UtcNow);
        await BulkScenario.CampaignAsync(engine.Grains, "directed-large", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 1000);

        // 300 rows of about 40 bytes: six chunks, past 4 KiB in the third.
        var csv = BulkScenario.Csv(Enumerable.Range(3000, 300).Select(i => BulkScenario.Row(BulkScenario.Citizen(i))));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/directed-large/uploads?institutionId={BulkScenario.Institution}")
        {
            Content = new StreamContent(new MemoryStream(csv)) { Headers = { ContentType = new("text/csv") } },
        };
        request.Headers.TransferEncodingChunked = true;

        using var response = await authority.SendAsync(request);

        var problem = await Problem.AssertAsync(response, 413, "payload-too-large");
        Assert.Equal(4096, problem.GetProperty("limit").GetInt64());
        var campaign = await engine.Grains.GetGrain<ICampaignGrain>("directed-large").GetAsync();
        Assert.Equal(0, campaign!.AllocatedQuantity);
    }

    [Fact]
    public async Task The_campaign_cap_is_never_exceeded_and_the_rows_past_it_are_rejected()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-cap", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 90, issuers: 3);
        var rows = Enumerable.Range(1000, 130).Select(i => BulkScenario.Row(BulkScenario.Citizen(i)));

        using var response = await BulkScenario.UploadAsync(_authority, "directed-cap", BulkScenario.Csv(rows));
        var job = await BulkScenario.FinishedAsync(_authority, (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id, s_finish);

        Assert.Equal((90, 40), (job.Issued, job.Rejected));
        var rejected = await BulkScenario.RejectionsAsync(_authority, job.Id);
        Assert.All(rejected.Values, code => Assert.Equal("stock-exhausted", code));
        var campaign = await _engine.Grains.GetGrain<ICampaignGrain>("directed-cap").GetAsync();
        Assert.True(campaign!.AllocatedQuantity <= 90);
    }

    [Fact]
    public async Task A_general_campaigns_population_in_ndjson_registers_workers_and_is_issued_to_the_eligible_only()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "general-a", DateTimeOffset.UtcNow, IssuanceMode.General, quantity: 1000, eligibility: new EligibilityRules { MinLocalInsuranceMonths = 36, ExcludedCategories = ["CivilServant"] });
        var lines = new StringBuilder();
        for (var i = 0; i < 30; i++)
        {
            var months = i % 3 == 0 ? 12 : 40;
            var categories = i == 1 ? "[\"CivilServant\"]" : "[]";
            lines.Append($"{{\"citizenId\":\"{BulkScenario.Citizen(2000 + i)}\",\"name\":\"W{i}\",\"categories\":{categories},\"insurance\":[{{\"regionCode\":\"350102\",\"months\":{months}}}]}}\n");
        }

        lines.Append("{\"citizenId\":\"").Append(BulkScenario.Citizen(2100)).Append("\",\"shoeSize\":42}\n");
        lines.Append("not json\n");

        using var response = await BulkScenario.UploadAsync(_authority, "general-a", Encoding.UTF8.GetBytes(lines.ToString()), "application/x-ndjson");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await BulkScenario.FinishedAsync(_authority, (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id, s_finish);

        // Rows 1, 4, …, 28 have 12 months; row 2 is a civil servant; rows 31 and 32 cannot be read.
        Assert.Equal((19, 13), (job.Issued, job.Rejected));
        var rejected = await BulkScenario.RejectionsAsync(_authority, job.Id);
        Assert.Equal(11, rejected.Values.Count(c => c == "not-eligible"));
        Assert.Equal(("malformed-row", "malformed-row"), (rejected[31], rejected[32]));
        var worker = (await _engine.Grains.GetGrain<IWorkerGrain>(BulkScenario.Citizen(2002)).GetAsync()).GetValueOrThrow();
        Assert.Equal(VoucherStatus.Claimed, Assert.Single(worker.Vouchers).Status);
        Assert.Equal(40, Assert.Single(worker.Attributes.UnemploymentInsurance).Months);
    }

    [Fact]
    public async Task Ndjson_lines_escaping_half_a_surrogate_pair_are_rejected_rows_and_the_rest_is_issued()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "general-surrogate", DateTimeOffset.UtcNow, IssuanceMode.General, quantity: 10);
        var lines = new StringBuilder()
            .Append("{\"citizenId\":\"").Append(BulkScenario.Citizen(2200)).Append("\",\"name\":\"W\\ud800\"}\n")
            .Append("{\"citizenId\":\"").Append(BulkScenario.Citizen(2201)).Append("\",\"\\udc00\":\"x\"}\n")
            .Append("{\"citizenId\":\"").Append(BulkScenario.Citizen(2202)).Append("\",\"name\":\"W\"}\n");

        using var response = await BulkScenario.UploadAsync(_authority, "general-surrogate", Encoding.UTF8.GetBytes(lines.ToString()), "application/x-ndjson");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await BulkScenario.FinishedAsync(_authority, (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id, s_finish);
        Assert.Equal((BulkJobStatus.Completed, 1, 2), (job.Status, job.Issued, job.Rejected));
        var rejected = await BulkScenario.RejectionsAsync(_authority, job.Id);
        Assert.Equal(new Dictionary<long, string> { [1] = "malformed-row", [2] = "malformed-row" }, rejected);
    }

    [Fact]
    public async Task Rows_whose_names_or_categories_the_api_would_refuse_are_rejected_rows()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "general-checked", DateTimeOffset.UtcNow, IssuanceMode.General, quantity: 10);
        var rows = new[]
        {
            $"{BulkScenario.Citizen(2300)},\"Li\u0007\",",                   // row 1: a bell in the name
            $"{BulkScenario.Citizen(2301)},\"Li\nXiao\",",                   // row 2: a line break inside a quoted name
            $"{BulkScenario.Citizen(2302)},Li,Civil Servant",                  // row 3: a category no rule can name
            $"{BulkScenario.Citizen(2303)},Li, LowIncomeRural ;CivilServant",  // row 4: issued, its categories trimmed
        };

        using var response = await BulkScenario.UploadAsync(_authority, "general-checked", Encoding.UTF8.GetBytes("citizen_id,name,categories\n" + string.Join('\n', rows) + "\n"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await BulkScenario.FinishedAsync(_authority, (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id, s_finish);
        Assert.Equal((BulkJobStatus.Completed, 1, 3), (job.Status, job.Issued, job.Rejected));
        Assert.Equal(new Dictionary<long, string> { [1] = "malformed-row", [2] = "malformed-row", [3] = "malformed-row" }, await BulkScenario.RejectionsAsync(_authority, job.Id));
        var worker = (await _engine.Grains.GetGrain<IWorkerGrain>(BulkScenario.Citizen(2303)).GetAsync()).GetValueOrThrow();
        Assert.Equal(["LowIncomeRural", "CivilServant"], worker.Attributes.Categories);
    }

    [Fact]
    public async Task An_upload_repeating_its_idempotency_key_returns_the_first_job()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-key", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 1000);
        var body = BulkScenario.Csv(Enumerable.Range(3000, 10).Select(i => BulkScenario.Row(BulkScenario.Citizen(i))));

        using var first = await BulkScenario.UploadAsync(_authority, "directed-key", body, idempotencyKey: "roster-2026-11");
        using var again = await BulkScenario.UploadAsync(_authority, "directed-key", body, idempotencyKey: "roster-2026-11");

        var job = (await first.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!;
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(job.Id, (await again.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(10, (await BulkScenario.FinishedAsync(_authority, job.Id, s_finish)).Issued);
    }

    [Fact]
    public async Task Uploads_are_refused_for_other_media_types_unknown_campaigns_unknown_columns_and_other_regions()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-refuse", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 10);
        var body = BulkScenario.Csv([BulkScenario.Row(BulkScenario.Citizen(4000))]);

        using var plain = await BulkScenario.UploadAsync(_authority, "directed-refuse", body, "text/plain");
        using var unknown = await BulkScenario.UploadAsync(_authority, "no-such-campaign", body);
        using var column = await BulkScenario.UploadAsync(_authority, "directed-refuse", Encoding.UTF8.GetBytes("citizen_id,shoe_size\n1,2\n"));
        using var guangdong = await BulkScenario.UploadAsync(_engine.CreateClient("authority", "hr-guangdong", "440000"), "directed-refuse", body);

        await Problem.AssertAsync(plain, 415, "unsupported-media-type");
        await Problem.AssertAsync(unknown, 404, "campaign-not-found");
        await Problem.AssertAsync(column, 400, "validation-failed");
        await Problem.AssertAsync(guangdong, 403, "out-of-scope");
        using var missing = await _authority.GetAsync("/api/v1/jobs/nosuchjob");
        await Problem.AssertAsync(missing, 404, "not-found");
    }

    [Fact]
    public async Task An_upload_refused_for_its_header_or_its_encoding_leaves_no_job_behind()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-unread", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 10);

        using var column = await BulkScenario.UploadAsync(_authority, "directed-unread", Encoding.UTF8.GetBytes("citizen_id,shoe_size\n1,2\n"));
        using var twice = await BulkScenario.UploadAsync(_authority, "directed-unread", Encoding.UTF8.GetBytes("citizen_id,citizen_id\n1,2\n"));
        using var latin1 = await BulkScenario.UploadAsync(_authority, "directed-unread", [.. "citizen_id,name\n"u8, .. BulkScenario.Citizen(4100).Select(c => (byte)c), (byte)',', 0xE9, (byte)'\n']);
        using var empty = await BulkScenario.UploadAsync(_authority, "directed-unread", []);
        using var bomOnly = await BulkScenario.UploadAsync(_authority, "directed-unread", [0xEF, 0xBB, 0xBF]);

        await Problem.AssertAsync(column, 400, "validation-failed");
        await Problem.AssertAsync(twice, 400, "validation-failed");
        await Problem.AssertAsync(latin1, 400, "validation-failed");
        await Problem.AssertAsync(empty, 400, "validation-failed");
        await Problem.AssertAsync(bomOnly, 400, "validation-failed");
        Assert.Equal(0, await StoredAsync("bulk-job"));
    }

    [Theory]
    [InlineData("directed.dot", BulkScenario.Institution, "campaignId")]
    [InlineData("directed-ids", "inst'; DROP TABLE grain_state; --", "institutionId")]
    public async Task An_upload_naming_a_malformed_campaign_or_institution_is_400_naming_it_and_starts_no_job(string campaignId, string institutionId, string field)
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-ids", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 10);
        var content = new ByteArrayContent(BulkScenario.Csv([BulkScenario.Row(BulkScenario.Citizen(4200))]));
        content.Headers.ContentType = new("text/csv");

        using var response = await _authority.PostAsync($"/api/v1/campaigns/{Uri.EscapeDataString(campaignId)}/uploads?institutionId={Uri.EscapeDataString(institutionId)}", content);

        var problem = await Problem.AssertAsync(response, 400, "validation-failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, await StoredAsync("bulk-job"));
    }

    [Fact]
    public async Task A_cancelled_job_issues_no_more_and_counts_every_voucher_it_issued()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-stop", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 10_000);
        var citizens = Enumerable.Range(6000, 4000).Select(BulkScenario.Citizen).ToList();
        using var response = await BulkScenario.UploadAsync(_authority, "directed-stop", BulkScenario.Csv(citizens.Select(c => BulkScenario.Row(c))));
        var jobId = (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id;

        using var cancel = await _authority.PostAsync($"/api/v1/jobs/{jobId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        // Chunks issued when the job was cancelled are still recorded; then nothing moves.
        var deadline = DateTime.UtcNow + s_finish;
        while (true)
        {
            var job = await BulkScenario.JobAsync(_authority, jobId);
            var holders = 0;
            foreach (var citizen in citizens)
            {
                if ((await _engine.Grains.GetGrain<IWorkerGrain>(citizen).GetAsync()).Value is { Vouchers.Count: > 0 })
                {
                    holders++;
                }
            }

            Assert.Equal(BulkJobStatus.Cancelled, job.Status);
            if (job.Issued == holders)
            {
                Assert.True(holders < citizens.Count, "The job finished before it was cancelled.");
                Assert.Equal(0, job.Rejected);
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{holders} workers hold a voucher but the job counts {job.Issued}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_campaigns_jobs_are_listed_newest_first_page_by_page_and_to_the_authorities_over_it_only()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-list", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 100);
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-other", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 100);
        var uploaded = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await BulkScenario.UploadAsync(_authority, "directed-list", BulkScenario.Csv([BulkScenario.Row(BulkScenario.Citizen(5100 + i))]));
            uploaded.Add((await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id);
        }

        using (var other = await BulkScenario.UploadAsync(_authority, "directed-other", BulkScenario.Csv([BulkScenario.Row(BulkScenario.Citizen(5110))])))
        using (var refused = await BulkScenario.UploadAsync(_authority, "directed-list", Encoding.UTF8.GetBytes("citizen_id,shoe_size\n1,2\n")))
        {
            Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
            await Problem.AssertAsync(refused, 400, "validation-failed");
        }

        await BulkScenario.FinishedAsync(_authority, uploaded[0], s_finish);
        uploaded.Reverse();

        var all = await JobsAsync("");
        var firstPage = await JobsAsync("?limit=2");
        var secondPage = await JobsAsync($"?limit=2&before={firstPage[^1].Id}");

        Assert.Equal(uploaded, all.Select(j => j.Id));
        Assert.All(all, job => Assert.Equal(("directed-list", 1L), (job.CampaignId, job.RowsRead)));
        Assert.Equal((BulkJobStatus.Completed, 1L), (all[^1].Status, all[^1].Issued));
        Assert.Equal(uploaded[..2], firstPage.Select(j => j.Id));
        Assert.Equal(uploaded[2..], secondPage.Select(j => j.Id));
        Assert.Empty(await JobsAsync($"?before={uploaded[^1]}"));

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=101", "limit"), ("limit=two", "limit"), ("limit=-1", "limit"), ("limit=", "limit"), ($"before={uploaded[0]}x", "before") })
        {
            using var bad = await _authority.GetAsync($"/api/v1/campaigns/directed-list/jobs?{query}");
            var problem = await Problem.AssertAsync(bad, 400, "validation-failed");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }

        using var unknown = await _authority.GetAsync("/api/v1/campaigns/no-such-campaign/jobs");
        using var guangdong = await _engine.CreateClient("authority", "hr-guangdong", "440000").GetAsync("/api/v1/campaigns/directed-list/jobs");
        using var institution = await _engine.CreateClient("institution", BulkScenario.Institution, BulkScenario.Province).GetAsync("/api/v1/campaigns/directed-list/jobs");
        await Problem.AssertAsync(unknown, 404, "campaign-not-found");
        await Problem.AssertAsync(guangdong, 403, "out-of-scope");
        Assert.Equal(HttpStatusCode.Forbidden, institution.StatusCode);

        async Task<List<BulkJobView>> JobsAsync(string query)
        {
            using var response = await _authority.GetAsync($"/api/v1/campaigns/directed-list/jobs{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<List<BulkJobView>>(BulkScenario.Json))!;
        }
    }

    [Fact]
    public async Task A_finished_job_cannot_be_cancelled()
    {
        await BulkScenario.CampaignAsync(_engine.Grains, "directed-cancel", DateTimeOffset.UtcNow, IssuanceMode.Directed, quantity: 10);
        using var response = await BulkScenario.UploadAsync(_authority, "directed-cancel", BulkScenario.Csv([BulkScenario.Row(BulkScenario.Citizen(5000))]));
        var job = await BulkScenario.FinishedAsync(_authority, (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id, s_finish);

        using var cancel = await _authority.PostAsync($"/api/v1/jobs/{job.Id}/cancel", null);

        var problem = await Problem.AssertAsync(cancel, 409, "job-finished");
        Assert.Equal("The job has ended: it is completed.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_paced_job_dispatches_a_chunk_per_its_share_of_a_second_and_no_faster()
    {
        // 50 rows a chunk at 50 rows a second: one chunk a second, on a clock that moves only when told.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var engine = new EngineFactory(
            new Dictionary<string, string?>(EngineFactory.SqliteSettings("bulk-paced").Concat(s_settings)) { ["BulkIssuance:MaxRowsPerSecond"] = "50" },
            time: clock);
        using var authority = engine.CreateClient("authority", "hr-fujian", BulkScenario.Province);
        await BulkScenario.RegionAsync(engine.Grains, clock.GetUtcNow());
        await BulkScenario.CampaignAsync(engine.Grains, "directed-paced", clock.GetUtcNow(), IssuanceMode.Directed, quantity: 1000);
        var rows = Enumerable.Range(7000, 200).Select(n => BulkScenario.Row(BulkScenario.Citizen(n)));

        using var response = await BulkScenario.UploadAsync(authority, "directed-paced", BulkScenario.Csv(rows));
        var jobId = (await response.Content.ReadFromJsonAsync<BulkJobView>(BulkScenario.Json))!.Id;

        // The first chunk goes at once; each next one only when the clock has moved on by a second.
        for (var chunks = 1; chunks <= 4; chunks++)
        {
            var job = await IssuedAtLeastAsync(authority, jobId, chunks * 50);
            Assert.Equal(chunks * 50, job.Issued);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var finished = await BulkScenario.FinishedAsync(authority, jobId, s_finish);
        Assert.Equal((BulkJobStatus.Completed, 200, 0), (finished.Status, finished.Issued, finished.Rejected));
    }

    /// <summary>Polls the job until it has issued <paramref name="issued"/> vouchers (or more) and answers it as then seen.</summary>
    private static async Task<BulkJobView> IssuedAtLeastAsync(HttpClient client, string jobId, int issued)
    {
        var deadline = DateTime.UtcNow + s_finish;
        while (true)
        {
            var job = await BulkScenario.JobAsync(client, jobId);
            if (job.Issued >= issued)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} issued {job.Issued} of the {issued} expected within {s_finish}.");
            await Task.Delay(20);
        }
    }

    /// <summary>The upload chunks the engine's store holds, counted in its SQLite file.</summary>
    private Task<long> StoredChunksAsync() => StoredAsync("bulk-job-chunk", "rows");

    /// <summary>The states of grains of <paramref name="grainType"/> (named <paramref name="stateName"/>, when given) the engine's store holds.</summary>
    private async Task<long> StoredAsync(string grainType, string? stateName = null)
    {
        await using var connection = new SqliteConnection($"Data Source={_settings["Silo:Storage:Sqlite:DatabasePath"]}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM grain_state WHERE grain_type = $type AND ($state IS NULL OR state_name = $state) AND payload IS NOT NULL";
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$state", (object?)stateName ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
