using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace OrleansVoucher.LoadTests.Benchmarks.BulkIssue;

/// <summary>
/// The yardstick: a raw binary <c>COPY</c> of as many voucher-shaped rows — the store's row shape
/// (type, state name, key, version, payload, time, with its primary key) carrying a real stored voucher's
/// payload — into a scratch table of the same server, with nothing else running.
/// </summary>
internal static class RawCopy
{
    private const string Table = "bench_bulk_copy";

    /// <summary>Copies <paramref name="count"/> rows and returns rows per second.</summary>
    public static async Task<double> MeasureAsync(string connectionString, string schema, int count, CancellationToken cancellationToken)
    {
        var data = NpgsqlDataSource.Create(connectionString);
        await using (data.ConfigureAwait(false))
        {
            byte[] payload;
            var sample = data.CreateCommand($"SELECT payload FROM {schema}.grain_state WHERE grain_type = 'voucher' LIMIT 1");
            await using (sample.ConfigureAwait(false))
            {
                payload = (byte[])(await sample.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("No voucher is stored to shape the copied rows on."));
            }

            await ExecuteAsync(data, $"""
                DROP TABLE IF EXISTS {Table};
                CREATE TABLE {Table} (
                    grain_type text COLLATE "C" NOT NULL,
                    state_name text COLLATE "C" NOT NULL,
                    grain_key text COLLATE "C" NOT NULL,
                    version bigint NOT NULL,
                    payload bytea,
                    modified_at timestamptz NOT NULL,
                    PRIMARY KEY (grain_type, state_name, grain_key)
                ) WITH (fillfactor = 90);
                CHECKPOINT;
                """, cancellationToken).ConfigureAwait(false);

            var started = Stopwatch.GetTimestamp();
            var connection = await data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var writer = await connection.BeginBinaryImportAsync($"COPY {Table} FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                await using (writer.ConfigureAwait(false))
                {
                    var now = DateTime.UtcNow;
                    for (var i = 0; i < count; i++)
                    {
                        await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync("voucher", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync("voucher", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(Key(i), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(payload, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                        await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            await ExecuteAsync(data, $"DROP TABLE {Table}", cancellationToken).ConfigureAwait(false);
            return rate;
        }
    }

    /// <summary>A 14-character key like a voucher code, distinct per row.</summary>
    private static string Key(int i) => "C" + i.ToString("D13", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(NpgsqlDataSource data, string sql, CancellationToken cancellationToken)
    {
        var command = data.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            // A checkpoint after a run of millions can take longer than Npgsql's default of 30 s.
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
