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

    private static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
