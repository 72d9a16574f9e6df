using System.Text;
using Npgsql;
using NpgsqlTypes;
using OrleansVoucher.Silo.Storage;
using OrleansVoucher.Silo.Storage.PostgreSql;

namespace OrleansVoucher.LoadTests.Benchmarks.Runtime;

/// <summary>
/// The baseline group commit is measured against: PostgreSQL grain storage that writes the way Orleans'
/// ADO.NET provider does, each write on its own pooled connection checkout as its own version-checked
/// INSERT or UPDATE transaction. Same tables, same version semantics and the same connection settings
/// (pooling, auto-prepared statements) as <see cref="PostgreSqlGrainStorage"/>; only the batching is
/// missing.
/// </summary>
internal sealed class OneTransactionPerWriteStorage : IGrainStorage, IAsyncDisposable
{
    private readonly PostgreSqlStorageOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _insert;
    private readonly string _update;
    private readonly string _read;
    private readonly string _readVersion;
    private readonly string _appendEvent;
    private readonly string _readStream;
    private readonly long _eventAppendLockKey;

    public OneTransactionPerWriteStorage(PostgreSqlStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        var connectionString = builder.ConnectionStringBuilder;
        if (connectionString.MaxAutoPrepare == 0)
        {
            connectionString.MaxAutoPrepare = 16;
            connectionString.AutoPrepareMinUsages = 2;
        }

        connectionString.ApplicationName ??= "OrleansVoucher.LoadTests";
        _dataSource = builder.Build();

        var s = options.Schema;
        _insert = $"""
            INSERT INTO {s}.grain_state (grain_type, state_name, grain_key, version, payload, modified_at)
            VALUES ($1, $2, $3, 1, $4, now())
            ON CONFLICT (grain_type, state_name, grain_key) DO NOTHING
            """;
        _update = $"""
            UPDATE {s}.grain_state
            SET version = $4 + 1, payload = $5, modified_at = now()
            WHERE grain_type = $1 AND state_name = $2 AND grain_key = $3 AND version = $4
            """;
        _read = $"SELECT version, payload FROM {s}.grain_state WHERE grain_type = $1 AND state_name = $2 AND grain_key = $3";
        _readVersion = $"SELECT version FROM {s}.grain_state WHERE grain_type = $1 AND state_name = $2 AND grain_key = $3";
        _appendEvent = $"INSERT INTO {s}.stream_event (stream, stream_key, payload, committed_at) VALUES ($1, $2, $3, now())";
        _readStream = $"""
            SELECT sequence, stream_key, payload, committed_at
            FROM {s}.stream_event
            WHERE stream = $1 AND sequence > $2
            ORDER BY sequence
            LIMIT $3
            """;

        // The same advisory lock the product store takes around event appends, so that both stores keep
        // stream sequence order equal to commit order on a shared schema.
        _eventAppendLockKey = Fnv1a("OrleansVoucher.Silo.Storage.PostgreSql/stream_event/" + s);
    }

    /// <summary>Creates or migrates the schema with the product store's own migrations.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var schemaOwner = new PostgreSqlGrainStorage(_options);
        await using (schemaOwner.ConfigureAwait(false))
        {
            await schemaOwner.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(_read);
        await using (command.ConfigureAwait(false))
        {
            AddKey(command.Parameters, key);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return StoredState.Absent;
                }

                return new StoredState(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1));
            }
        }
    }

    public async Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (unit.States.Count == 1 && unit.Events.Count == 0)
            {
                // One statement: its implicit transaction commits when it returns.
                var write = unit.States[0];
                if (!await TryWriteAsync(connection, null, write, cancellationToken).ConfigureAwait(false))
                {
                    throw await ConflictAsync(connection, write, cancellationToken).ConfigureAwait(false);
                }

                return [write.ExpectedVersion + 1];
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (unit.Events.Count > 0)
                {
                    var takeLock = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
                    await using (takeLock.ConfigureAwait(false))
                    {
                        takeLock.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _eventAppendLockKey });
                        await takeLock.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                var versions = new long[unit.States.Count];
                for (var i = 0; i < versions.Length; i++)
                {
                    var write = unit.States[i];
                    if (!await TryWriteAsync(connection, transaction, write, cancellationToken).ConfigureAwait(false))
                    {
                        var conflict = await ConflictAsync(connection, write, cancellationToken).ConfigureAwait(false);
                        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        throw conflict;
                    }

                    versions[i] = write.ExpectedVersion + 1;
                }

                foreach (var e in unit.Events)
                {
                    var append = new NpgsqlCommand(_appendEvent, connection, transaction);
                    await using (append.ConfigureAwait(false))
                    {
                        append.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = e.Stream });
                        append.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = e.Key });
                        append.Parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = e.Payload });
                        await append.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return versions;
            }
        }
    }

    public async Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(_readStream);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = stream });
            command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = afterSequence });
            command.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = maxCount });
            var events = new List<StoredStreamEvent>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    events.Add(new StoredStreamEvent(reader.GetInt64(0), stream, reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<DateTimeOffset>(3)));
                }
            }

            return events;
        }
    }

    /// <summary>The baseline records no expiries (its writes are those of states that never expire), so nothing is ever due.</summary>
    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken) => Task.FromResult(0);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Inserts (expected version 0) or updates (expected version v &gt; 0) one state; false when the version check failed.</summary>
    private async Task<bool> TryWriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, StateWrite write, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(write.ExpectedVersion == 0 ? _insert : _update, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            AddKey(command.Parameters, write.Key);
            if (write.ExpectedVersion > 0)
            {
                command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = write.ExpectedVersion });
            }

            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)write.Payload ?? DBNull.Value });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    private async Task<InconsistentStateException> ConflictAsync(NpgsqlConnection connection, StateWrite write, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(_readVersion, connection);
        await using (command.ConfigureAwait(false))
        {
            AddKey(command.Parameters, write.Key);
            var stored = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return new InconsistentStateException(write.Key, write.ExpectedVersion, stored is long version ? version : 0);
        }
    }

    private static void AddKey(NpgsqlParameterCollection parameters, GrainStateKey key)
    {
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = key.GrainType });
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = key.StateName });
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = key.GrainKey });
    }

    private static long Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
