using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>A province with a policy, a listed institution and open campaigns, set up through the grains; and rosters to upload.</summary>
public static class BulkScenario
{
    public const string Province = "350000";
    public const string District = "350102";
    public const string Institution = "instbulk01";
    public const string Nursery = "4-10-01-02";
    public const string Electrician = "6-31-01-03";

    /// <summary>The JSON of the API's responses.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The region, its catalogue and the institution.</summary>
    public static async Task RegionAsync(IGrainFactory grains, DateTimeOffset now)
    {
        Ok(await grains.GetGrain<IRegionGrain>(Province).SetPolicyAsync(RegionPolicy.Fujian));
        Ok(await grains.GetGrain<IOccupationCatalogueGrain>(OccupationCatalogue.KeyFor(Province, ChinaTime.YearOf(now))).PublishAsync(
        [
            new OccupationEntry { Code = Nursery, Name = "育婴员", Kind = SkillKind.OperationSkill, Standards = [new(null, 100_000)] },
            new OccupationEntry { Code = Electrician, Name = "电工", Kind = SkillKind.OperationSkill, Standards = [new(null, 90_000)] },
        ]));
        await InstitutionAsync(grains, Institution, District, Nursery);
    }

    /// <summary>Lists institution <paramref name="id"/> in <paramref name="region"/> for <paramref name="occupations"/>.</summary>
    public static async Task InstitutionAsync(IGrainFactory grains, string id, string region, params string[] occupations)
    {
        var listed = await grains.GetGrain<IInstitutionGrain>(id).ListAsync(new InstitutionListing
        {
            Name = $"Training School {id}",
            RegionCode = region,
            Address = "1 Training Road",
            Nature = InstitutionNature.Private,
            Occupations = occupations,
            ContactName = "Contact",
            ContactPhone = "0591-00000000",
            Site = new GeoPoint(26.0745, 119.2965),
            SiteRadiusMetres = 200,
        });
        Assert.True(listed.IsSuccess, listed.Detail);
    }

    /// <summary>Creates and opens a campaign in the province.</summary>
    public static async Task CampaignAsync(IGrainFactory grains, string id, DateTimeOffset now, IssuanceMode mode, int quantity, int issuers = 4, EligibilityRules? eligibility = null)
    {
        var campaign = grains.GetGrain<ICampaignGrain>(id);
        Ok(await campaign.CreateAsync(new CampaignDefinition
        {
            Name = $"Bulk {id}",
            RegionCode = Province,
            ValueMode = ValueMode.FaceValue,
            IssuanceMode = mode,
            Tier = Tier.Basic,
            FaceValueFen = 50_000,
            QuantityCap = quantity,
            BudgetCapFen = 50_000L * quantity,
            ClaimOpensAt = now.AddDays(-1),
            ClaimClosesAt = now.AddYears(1),
            CatalogueYear = ChinaTime.YearOf(now),
            IssuerCount = issuers,
            Eligibility = eligibility ?? EligibilityRules.Anyone,
        }));
        Ok(await campaign.OpenAsync());
    }

    /// <summary>
    /// The province, its institution and the given directed campaigns, set up through an engine in this
    /// process that is gone when it returns; and an authority's token for the engines started next.
    /// </summary>
    public static async Task<string> PrepareAsync(string connectionString, params (string Id, int Cap, int Issuers)[] campaigns)
    {
        var now = DateTimeOffset.UtcNow;
        await using var setup = new EngineFactory(EngineFactory.PostgreSqlSettings(connectionString));
        await RegionAsync(setup.Grains, now);
        foreach (var (id, cap, issuers) in campaigns)
        {
            await CampaignAsync(setup.Grains, id, now, IssuanceMode.Directed, quantity: cap, issuers: issuers);
        }

        return setup.Token("authority", "hr-fujian", Province, TimeSpan.FromHours(2));
    }

    /// <summary>
    /// The settings of an engine process on <paramref name="connectionString"/>: small chunks and batches,
    /// so that a job of a few thousand rows has many, a lease short enough to run out within a test, and
    /// a pace of 1,000 rows a second, so that a job of 3,000 rows is still running seconds after its
    /// upload was answered, however fast or slow the machine (unpaced, such a job could finish between
    /// the answer and the first look at its progress).
    /// </summary>
    public static Dictionary<string, string> EngineSettings(string connectionString) => new()
    {
        ["Silo:Storage:Provider"] = "PostgreSql",
        ["ConnectionStrings:PostgreSql"] = connectionString,
        ["BulkIssuance:ChunkRows"] = "100",
        ["BulkIssuance:MaxIssuerBatch"] = "40",
        ["BulkIssuance:LeaseDuration"] = "00:00:02",
        ["BulkIssuance:PollInterval"] = "00:00:00.200",
        ["BulkIssuance:MaxRowsPerSecond"] = "1000",
    };

    /// <summary>The <paramref name="n"/>th citizen id of the district (distinct for n below 14 million).</summary>
    public static string Citizen(int n)
    {
        var birth = new DateOnly(1960, 1, 1).AddDays(n / 1000);
        var first17 = string.Create(CultureInfo.InvariantCulture, $"{District}{birth:yyyyMMdd}{n % 1000:D3}");
        return first17 + CitizenId.CheckCharacterOf(first17);
    }

    /// <summary>A directed roster as CSV: the header and the rows.</summary>
    public static byte[] Csv(IEnumerable<string> rows) =>
        Encoding.UTF8.GetBytes("citizen_id,name,occupation_code,level\n" + string.Concat(rows.Select(r => r + "\n")));

    /// <summary>A directed row.</summary>
    public static string Row(string citizenId, string name = "张三") => $"{citizenId},{name},{Nursery},5";

    /// <summary>
    /// A directed roster of <paramref name="rows"/> rows: one in 150 with a bad citizen id, one in 100
    /// naming the worker of the row before it again, every other row a worker of its own.
    /// </summary>
    public static (List<string> Rows, int Invalid) MixedRoster(int rows)
    {
        var roster = new List<string>(rows);
        var invalid = 0;
        for (var i = 0; i < rows; i++)
        {
            if (i % 150 == 7)
            {
                roster.Add(Row("350102199001011230"));
                invalid++;
            }
            else
            {
                roster.Add(Row(Citizen(i % 100 == 50 ? i - 1 : i)));
            }
        }

        return (roster, invalid);
    }

    /// <summary>Uploads a body and returns the response.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string campaignId, byte[] body, string mediaType = "text/csv", string? idempotencyKey = null, string institutionId = Institution)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/{campaignId}/uploads?institutionId={institutionId}")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new(mediaType) } },
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The job, as the API reports it.</summary>
    public static async Task<BulkJobView> JobAsync(HttpClient client, string jobId) =>
        (await client.GetFromJsonAsync<BulkJobView>($"/api/v1/jobs/{jobId}", Json))!;

    /// <summary>Polls the job until it has ended.</summary>
    public static async Task<BulkJobView> FinishedAsync(HttpClient client, string jobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await JobAsync(client, jobId);
            if (job.Status is BulkJobStatus.Completed or BulkJobStatus.Cancelled or BulkJobStatus.Failed)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} did not finish within {timeout}: {job}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits for a job over a <see cref="MixedRoster"/> to end, and checks that it completed with exactly
    /// <paramref name="cap"/> vouchers and every other row rejected for its own reason.
    /// </summary>
    public static async Task AssertFinishedExactlyAsync(HttpClient client, string jobId, int rows, int cap, int invalid, string engineOutput)
    {
        var job = await FinishedAsync(client, jobId, TimeSpan.FromMinutes(3));
        Assert.True(job.Status == BulkJobStatus.Completed, $"{job}{Environment.NewLine}{engineOutput}");
        Assert.Equal((rows, cap, rows - cap), (job.RowsRead, job.Issued, job.Rejected));

        var rejected = await RejectionsAsync(client, jobId);
        Assert.Equal(rows - cap, rejected.Count);
        Assert.Equal(invalid, rejected.Values.Count(c => c == "invalid-citizen-id"));
        Assert.All(rejected.Values, c => Assert.Contains(c, new[] { "invalid-citizen-id", "duplicate-row", "stock-exhausted" }));
    }

    /// <summary>The job's rejected rows, from its CSV download: row number to code.</summary>
    public static async Task<Dictionary<long, string>> RejectionsAsync(HttpClient client, string jobId)
    {
        var csv = await client.GetStringAsync($"/api/v1/jobs/{jobId}/rejections");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("row_number,citizen_id,code,detail", lines[0]);
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture), f => f[2]);
    }

    private static void Ok(Result result) => Assert.True(result.IsSuccess, $"{result.Rejection}: {result.Detail}");

    private static void Ok<T>(Result<T> result) => Assert.True(result.IsSuccess, $"{result.Rejection}: {result.Detail}");
}
