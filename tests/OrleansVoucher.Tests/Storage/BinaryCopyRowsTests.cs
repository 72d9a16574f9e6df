using Npgsql;
using NpgsqlTypes;
using OrleansVoucher.Silo.Storage.PostgreSql;

namespace OrleansVoucher.Tests.Storage;

/// <summary>
/// The store's own binary <c>COPY</c> encoding against Npgsql's binary importer: the same values, copied
/// by each into a table of its own, must be stored identically.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BinaryCopyRowsTests(PostgresFixture fixture) : IAsyncLifetime
{
    private const string Columns = "(name text COLLATE \"C\", number bigint, payload bytea, at timestamptz)";

    private static readonly (string Name, long Number, byte[]? Payload, DateTime At)[] s_values =
    [
        ("plain", 1, [1, 2, 3], new DateTime(2026, 12, 7, 8, 30, 0, DateTimeKind.Utc)),
        ("职业培训券/福建/350000", long.MaxValue, [], new DateTime(2026, 12, 7, 8, 30, 0, DateTimeKind.Utc).AddTicks(1_234_567)),
        ("", long.MinValue, null, DateTime.MaxValue),
        ("before 2000", -1, [0], new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999)),
        ("the smallest", 0, [255], DateTime.MinValue.ToUniversalTime()),
        ("emoji 🎓 and combining é", 42, new byte[300_000], new DateTime(2038, 1, 19, 3, 14, 8, DateTimeKind.Utc)),
    ];

    private NpgsqlConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _connection = new NpgsqlConnection(await fixture.CreateDatabaseAsync("binary_copy"));
        await _connection.OpenAsync();
        await ExecuteAsync($"CREATE TABLE by_store {Columns}; CREATE TABLE by_importer {Columns};");
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Rows_are_stored_as_Npgsqls_importer_stores_them_across_many_buffer_flushes()
    {
        // Enough rows to pass the flush threshold many times, each value set in many positions.
        var rows = Enumerable.Range(0, 2_000).Select(i => s_values[i % s_values.Length] with { Number = s_values[i % s_values.Length].Number ^ i }).ToList();

        await using (var copy = await BinaryCopyRows.BeginAsync(_connection, "COPY by_store (name, number, payload, at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (name, number, payload, at) in rows)
            {
                copy.StartRow(4);
                copy.WriteText(name);
                copy.WriteBigint(number);
                copy.WriteBytea(payload);
                copy.WriteTimestampTz(at);
                await copy.FlushIfFullAsync();
            }

            await copy.CompleteAsync();
        }

        await using (var importer = await _connection.BeginBinaryImportAsync("COPY by_importer (name, number, payload, at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (name, number, payload, at) in rows)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(name, NpgsqlDbType.Text);
                await importer.WriteAsync(number, NpgsqlDbType.Bigint);
                if (payload is null)
                {
                    await importer.WriteNullAsync();
                }
                else
                {
                    await importer.WriteAsync(payload, NpgsqlDbType.Bytea);
                }

                await importer.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }

            await importer.CompleteAsync();
        }

        Assert.Equal(rows.Count, await CountAsync("SELECT count(*) FROM by_store"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM ((TABLE by_store EXCEPT ALL TABLE by_importer) UNION ALL (TABLE by_importer EXCEPT ALL TABLE by_store)) AS different"));
        Assert.Equal(rows.Count(r => r.At == DateTime.MaxValue), await CountAsync("SELECT count(*) FROM by_store WHERE at = 'infinity'"));
        Assert.Equal(rows.Count(r => r.Name == s_values[1].Name), await CountAsync("SELECT count(*) FROM by_store WHERE at = '2026-12-07 08:30:00.123456+00'"));
    }

    [Fact]
    public async Task A_copy_left_without_completing_keeps_nothing_and_the_connection_goes_on()
    {
        await using (var copy = await BinaryCopyRows.BeginAsync(_connection, "COPY by_store (name, number, payload, at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < 5_000; i++)
            {
                copy.StartRow(4);
                copy.WriteText("abandoned");
                copy.WriteBigint(i);
                copy.WriteBytea(new byte[100]);
                copy.WriteTimestampTz(DateTime.UtcNow);
                await copy.FlushIfFullAsync();
            }
        }

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM by_store WHERE name = 'abandoned'"));
    }

    [Fact]
    public async Task Text_that_is_not_valid_UTF16_and_local_times_are_refused_before_they_are_sent()
    {
        await using var copy = await BinaryCopyRows.BeginAsync(_connection, "COPY by_store (name, number, payload, at) FROM STDIN (FORMAT BINARY)");
        copy.StartRow(4);
        Assert.Throws<System.Text.EncoderFallbackException>(() => copy.WriteText("lone \uD800 surrogate"));
        Assert.Throws<ArgumentException>(() => copy.WriteTimestampTz(new DateTime(2026, 12, 7, 8, 30, 0, DateTimeKind.Local)));
    }

    [Fact]
    public async Task A_row_breaking_a_constraint_fails_the_copy_with_the_servers_error()
    {
        await ExecuteAsync("CREATE TABLE keyed (name text PRIMARY KEY)");
        var copy = await BinaryCopyRows.BeginAsync(_connection, "COPY keyed (name) FROM STDIN (FORMAT BINARY)");
        await using (copy)
        {
            foreach (var name in new[] { "once", "twice", "once" })
            {
                copy.StartRow(1);
                copy.WriteText(name);
            }

            var failure = await Assert.ThrowsAsync<PostgresException>(copy.CompleteAsync);
            Assert.Equal(PostgresErrorCodes.UniqueViolation, failure.SqlState);
            Assert.Equal("keyed_pkey", failure.ConstraintName);
        }

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM keyed"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
