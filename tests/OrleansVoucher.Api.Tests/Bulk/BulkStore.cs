using System.Globalization;
using Npgsql;

namespace OrleansVoucher.Api.Tests.Bulk;

/// <summary>What a bulk campaign left in PostgreSQL, read with SQL rather than through the engine.</summary>
public static class BulkStore
{
    /// <summary>
    /// One voucher per worker, each once, each announced once in the campaign's and the worker's
    /// streams; the issuers' counters agree; no worker holds two.
    /// </summary>
    public static async Task AssertIssuedExactlyOnceAsync(string connectionString, string campaign, long expected)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        Assert.Equal(expected, await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'"));
        Assert.Equal(expected, await ScalarAsync(data, "SELECT count(DISTINCT convert_from(payload, 'UTF8')::jsonb->>'citizenId') FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'"));
        Assert.Equal(expected, await ScalarAsync(data, "SELECT count(DISTINCT convert_from(payload, 'UTF8')::jsonb->>'rosterId') FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'"));
        var bulkEvents = "SELECT convert_from(payload, 'UTF8')::jsonb AS e FROM orleans_voucher.stream_event WHERE stream = 'campaign/" + campaign + "' AND convert_from(payload, 'UTF8')::jsonb->>'type' = 'VouchersIssuedInBulk'";
        Assert.Equal(expected, await ScalarAsync(data, $"SELECT coalesce(sum(jsonb_array_length(e->'issued')), 0) FROM ({bulkEvents}) AS b"));
        Assert.Equal(expected, await ScalarAsync(data, $"SELECT count(DISTINCT v->>'code') FROM ({bulkEvents}) AS b, jsonb_array_elements(e->'issued') AS v"));
        Assert.Equal(expected, await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.stream_event WHERE stream LIKE 'worker/%' AND convert_from(payload, 'UTF8')::jsonb->>'type' = 'VoucherIssued'"));
        Assert.Equal(expected, await ScalarAsync(data, "SELECT coalesce(sum((convert_from(payload, 'UTF8')::jsonb->>'usedQuantity')::int), 0) FROM orleans_voucher.grain_state WHERE grain_type = 'campaign-issuer'"));
        Assert.Equal(0, await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = 'worker' AND jsonb_array_length(jsonb_path_query_array(convert_from(payload, 'UTF8')::jsonb, '$.held.*')) > 1"));
    }

    /// <summary>The vouchers in the store and the issued count the job has recorded.</summary>
    public static async Task<(long Vouchers, long Recorded)> IssuedSoFarAsync(string connectionString, string jobId)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        var vouchers = await ScalarAsync(data, "SELECT count(*) FROM orleans_voucher.grain_state WHERE grain_type = 'voucher'");
        var recorded = await ScalarAsync(data, $"SELECT (convert_from(payload, 'UTF8')::jsonb->>'issued')::bigint FROM orleans_voucher.grain_state WHERE grain_type = 'bulk-job' AND grain_key = '{jobId}'");
        return (vouchers, recorded);
    }

    /// <summary>
    /// Watches the job's row until it records at least <paramref name="issued"/> vouchers or is no longer
    /// running, and returns what it held then. Read straight from the table, which neither the engine's
    /// turns nor its locks hold up, so a short job is caught mid-way.
    /// </summary>
    public static async Task<(long Issued, string Status)> WatchJobAsync(string connectionString, string jobId, long issued, TimeSpan timeout)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var command = data.CreateCommand(
            "SELECT coalesce((convert_from(payload, 'UTF8')::jsonb->>'issued')::bigint, 0), convert_from(payload, 'UTF8')::jsonb->>'status' " +
            "FROM orleans_voucher.grain_state WHERE grain_type = 'bulk-job' AND grain_key = $1");
        command.Parameters.AddWithValue(jobId);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var reader = await command.ExecuteReaderAsync())
            {
                if (await reader.ReadAsync())
                {
                    var (recorded, status) = (reader.GetInt64(0), reader.GetString(1));
                    if (recorded >= issued || status is not ("Queued" or "Running" or "Receiving"))
                    {
                        return (recorded, status);
                    }
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} did not record {issued} vouchers within {timeout}.");
            await Task.Delay(2);
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
