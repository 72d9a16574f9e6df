using Npgsql;

namespace OrleansVoucher.LoadTests.Hosting;

/// <summary>One-off statements a benchmark runs against its PostgreSQL: dropping schemas, checkpoints.</summary>
internal static class BenchDatabase
{
    /// <summary>Runs <paramref name="sql"/> on a connection of its own.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
