using Npgsql;
using NpgsqlTypes;
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
        var count = batch.Keys.Count;
        var grainTypes = new string[count];
        var stateNames = new string[count];
        var grainKeys = new string[count];
        for (var i = 0; i < count; i++)
        {
            var key = batch.Keys[i];
            grainTypes[i] = key.GrainType;
            stateNames[i] = key.StateName;
            grainKeys[i] = key.GrainKey;
        }

        var command = _dataSource.CreateCommand(_commands.ReadStates);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = grainTypes });
            command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = stateNames });
            command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = grainKeys });
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
