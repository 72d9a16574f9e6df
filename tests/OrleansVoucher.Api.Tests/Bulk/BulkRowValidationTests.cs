using System.Net.Http.Headers;
using OrleansVoucher.Api.Tests.Endpoints;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>
/// A bad value in one row of an upload rejects that row, with its row number, and nothing else: the
/// job still finishes and the other rows are issued. On PostgreSQL, whose keys cannot hold every text.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BulkRowValidationTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    [Theory]
    [InlineData("FJ\u0000MATRIX01")]
    [InlineData("FJ\u0001MATRIX01")]
    [InlineData("FJ MATRIX01")]
    [InlineData("FJMATRIX01FJMATRIX01FJMATRIX01FJMATRIX01")]
    public async Task A_row_naming_an_institution_by_a_malformed_id_is_rejected_as_malformed_and_the_job_finishes(string institutionId)
    {
        var bad = Caller.CitizenId(MatrixWorld.Gulou, 40 + institutionId.Length + institutionId[2]);
        var good = Caller.CitizenId(MatrixWorld.Gulou, 140 + institutionId.Length + institutionId[2]);
        var csv = $"citizen_id,name,household_region,occupation_code,institution_id\n"
            + $"{bad},张三,{MatrixWorld.Gulou},{Programme.Ecommerce},\"{institutionId}\"\n{good},李四,{MatrixWorld.Gulou},{Programme.Ecommerce},{MatrixWorld.SchoolId}\n";

        await UploadRejectingTheFirstRowAsync("/api/v1/campaigns/mx-directed/uploads", csv);
    }

    [Theory]
    [InlineData("350102:2147483647;350102:1")]
    [InlineData("350102:1201")]
    public async Task A_row_with_insurance_months_past_what_a_worker_may_have_is_rejected_as_malformed_and_the_job_finishes(string insurance)
    {
        var campaignId = $"mx-insured-{insurance.Length}";
        var programme = new Programme(world);
        await programme.CampaignAsync(campaignId, MatrixWorld.Province, new
        {
            name = "Insured workers",
            regionCode = MatrixWorld.Province,
            valueMode = "faceValue",
            issuanceMode = "general",
            tier = "basic",
            faceValueFen = 50_000,
            quantityCap = 100,
            budgetCapFen = 5_000_000,
            claimOpensAt = new DateTimeOffset(programme.Year, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
            claimClosesAt = new DateTimeOffset(programme.Year + 1, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
            catalogueYear = programme.Year,
            eligibility = new { minLocalInsuranceMonths = 6 },
        });
        var bad = Caller.CitizenId(MatrixWorld.Gulou, 300 + insurance.Length);
        var good = Caller.CitizenId(MatrixWorld.Gulou, 400 + insurance.Length);
        var csv = $"citizen_id,name,insurance\n{bad},张三,{insurance}\n{good},李四,350102:12\n";

        await UploadRejectingTheFirstRowAsync($"/api/v1/campaigns/{campaignId}/uploads", csv);
    }

    [Theory]
    [InlineData("technician,intermediate")]
    [InlineData("SeniorTechnician, Technician")]
    public async Task A_row_naming_several_levels_is_rejected_as_malformed(string level)
    {
        var bad = Caller.CitizenId(MatrixWorld.Gulou, 500 + level.Length);
        var good = Caller.CitizenId(MatrixWorld.Gulou, 600 + level.Length);
        var csv = $"citizen_id,name,household_region,occupation_code,level\n"
            + $"{bad},张三,{MatrixWorld.Gulou},{Programme.Ecommerce},\"{level}\"\n{good},李四,{MatrixWorld.Gulou},{Programme.Ecommerce},technician\n";

        await UploadRejectingTheFirstRowAsync($"/api/v1/campaigns/mx-directed/uploads?institutionId={MatrixWorld.SchoolId}", csv);

        var held = await world.As(Caller.Worker(good)).GetAsync($"/api/v1/workers/{good}/vouchers").ExpectAsync(200);
        Assert.Equal("technician", (await world.As(MatrixWorld.Fujian).GetAsync($"/api/v1/vouchers/{held[0].Str("code")}").ExpectAsync(200)).Str("level"));
    }

    [Fact]
    public async Task A_row_whose_name_is_longer_than_the_API_takes_for_a_worker_is_rejected_as_malformed()
    {
        var bad = Caller.CitizenId(MatrixWorld.Gulou, 700);
        var good = Caller.CitizenId(MatrixWorld.Gulou, 701);
        var csv = $"citizen_id,name,household_region,occupation_code\n"
            + $"{bad},{new string('张', 101)},{MatrixWorld.Gulou},{Programme.Ecommerce}\n{good},{new string('李', 100)},{MatrixWorld.Gulou},{Programme.Ecommerce}\n";

        await UploadRejectingTheFirstRowAsync($"/api/v1/campaigns/mx-directed/uploads?institutionId={MatrixWorld.SchoolId}", csv);
    }

    /// <summary>Uploads a CSV of two rows and waits for its job: the first row rejected as malformed, the second issued.</summary>
    private async Task UploadRejectingTheFirstRowAsync(string path, string csv)
    {
        var content = new StringContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var authority = world.As(MatrixWorld.Fujian);

        var jobId = (await authority.PostAsync(path, content).ExpectAsync(202)).Str("id");

        var job = await BulkScenario.FinishedAsync(authority, jobId, TimeSpan.FromSeconds(30));
        Assert.Equal(new Dictionary<long, string> { [1] = "malformed-row" }, await BulkScenario.RejectionsAsync(authority, jobId));
        Assert.Equal((2, 1, 1), (job.RowsRead, job.Issued, job.Rejected));
    }
}
