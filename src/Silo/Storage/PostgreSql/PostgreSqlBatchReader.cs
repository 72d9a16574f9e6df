using Npgsql;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>Reads a batch of states in one query: the keys travel as three arrays.</summary>
internal sealed class PostgreSqlBatchReader : IReadBatchExecutor
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgreSqlCommands _commands;

    public PostgreSqlBatchReader(NpgsqlDataSource dataSource, PostgreSqlCommands commands)
    {
        _dataSource = dataSource;
        _commands = commands;
    }

    /// <inheritdoc />
    public async Task ExecuteAsync(ReadBatch batch)
    {
        var command = _dataSource.CreateCommand(_commands.ReadStates);
        await using (command.ConfigureAwait(false))
        {
            PostgreSqlKeyArrays.Add(command.Parameters, batch.Keys);
            var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    var index = checked((int)reader.GetInt64(0)) - 1;
                    var payload = reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2);
                    batch.Results[index] = new StoredState(reader.GetInt64(1), payload);
                }
            }
        }
    }
}
