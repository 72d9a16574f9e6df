using System.Net.Http.Headers;
using OrleansVoucher.Api.Tests.Endpoints;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.BulkIssuance;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>
/// A job whose runs keep stopping at an error says so in its detail, is tried again ever less often
/// rather than at every poll, and finishes once the error is gone, its detail cleared.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BulkJobFaultTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    [Fact]
    public async Task A_job_whose_runs_stop_at_an_error_shows_it_in_its_detail_and_finishes_once_the_error_is_gone()
    {
        var first = Caller.CitizenId(MatrixWorld.Gulou, 801);
        var second = Caller.CitizenId(MatrixWorld.Gulou, 802);
        var content = new StringContent($"citizen_id,name,household_region,occupation_code\n{first},张三,{MatrixWorld.Gulou},{Programme.Ecommerce}\n{second},李四,{MatrixWorld.Gulou},{Programme.Ecommerce}\n");
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var authority = world.As(MatrixWorld.Fujian);

        // The store refuses every batch of new vouchers.
        world.Storage.FailCommits(unit => unit.InsertsInBulk);
        try
        {
            var jobId = (await authority.PostAsync($"/api/v1/campaigns/mx-directed/uploads?institutionId={MatrixWorld.SchoolId}", content).ExpectAsync(202)).Str("id");
            var faulted = await DetailedAsync(authority, jobId, TimeSpan.FromSeconds(30));
            Assert.Equal(BulkJobStatus.Running, faulted.Status);
            Assert.Equal(0, faulted.Issued);
            Assert.Contains("stopped at an error (IOException)", faulted.Detail, StringComparison.Ordinal);
            var metrics = await (await world.As(Caller.Operator).GetAsync("/metrics")).Content.ReadAsStringAsync();
            Assert.Matches(@"\norleansvoucher_bulk_runs_faulted_total [1-9]\d*\n", metrics);

            world.Storage.FailCommits(null);
            // Past the longest wait two failed runs make (less than the engine's response timeout, which the clock also moves).
            world.Clock.Advance(TimeSpan.FromSeconds(30));
            var job = await BulkScenario.FinishedAsync(authority, jobId, TimeSpan.FromSeconds(30));
            Assert.Equal(BulkJobStatus.Completed, job.Status);
            Assert.Equal((2, 2, 0), (job.RowsRead, job.Issued, job.Rejected));
            Assert.Null(job.Detail);
        }
        finally
        {
            world.Storage.FailCommits(null);
        }
    }

    /// <summary>Polls the job until its detail says something.</summary>
    private static async Task<BulkJobView> DetailedAsync(HttpClient client, string jobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await BulkScenario.JobAsync(client, jobId);
            if (job.Detail is not null)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} said nothing of its errors within {timeout}: {job}");
            await Task.Delay(50);
        }
    }
}
