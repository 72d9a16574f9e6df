using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Silo.Storage.Sqlite;

/// <summary>
/// The store's read connections, each driven by its own thread. A batch of state reads runs as one
/// read transaction (one WAL snapshot) with a prepared point query per key; in WAL mode it neither
/// waits for nor blocks the writer.
/// </summary>
internal sealed class SqliteBatchReader : IReadBatchExecutor
{
    private readonly Channel<ReadConnection> _idle = Channel.CreateUnbounded<ReadConnection>();
    private readonly List<ReadConnection> _connections = [];

    /// <summary>Opens <paramref name="count"/> read connections; call after the schema exists.</summary>
    public async Task OpenAsync(string path, int count, TimeSpan busyTimeout)
    {
        if (_connections.Count > 0)
        {
            return;
        }

        for (var i = 0; i < count; i++)
        {
            var connection = new ReadConnection($"OrleansVoucher SQLite reader {i + 1}");
            _connections.Add(connection);
            await connection.OpenAsync(path, busyTimeout).ConfigureAwait(false);
            _idle.Writer.TryWrite(connection);
        }
    }

    /// <inheritdoc />
    public async Task ExecuteAsync(ReadBatch batch)
    {
        var connection = await RentAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await connection.ReadAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            _idle.Writer.TryWrite(connection);
        }
    }

    /// <summary>Reads a page of a stream on an idle read connection.</summary>
    public async Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.ReadStreamAsync(stream, afterSequence, maxCount).ConfigureAwait(false);
        }
        finally
        {
            _idle.Writer.TryWrite(connection);
        }
    }

    /// <summary>Closes the connections and ends their threads.</summary>
    public async Task DisposeAsync()
    {
        await Task.WhenAll(_connections.Select(c => c.DisposeAsync())).ConfigureAwait(false);
        _connections.Clear();
    }

    private ValueTask<ReadConnection> RentAsync(CancellationToken cancellationToken)
    {
        if (_connections.Count == 0)
        {
            throw new InvalidOperationException("The SQLite grain storage is not initialized; call InitializeAsync first.");
        }

        return _idle.Reader.ReadAsync(cancellationToken);
    }

    private sealed class ReadConnection
    {
        private readonly SqliteWorker _worker;
        private SqliteConnection? _connection;
        private SqliteCommand? _begin;
        private SqliteCommand? _end;
        private SqliteCommand? _select;
        private SqliteCommand? _stream;

        public ReadConnection(string name) => _worker = new SqliteWorker(name);

        public Task OpenAsync(string path, TimeSpan busyTimeout) => _worker.RunAsync(() =>
        {
            var connection = SqliteSchema.Open(path, busyTimeout);
            SqliteSchema.Execute(connection, "PRAGMA query_only = ON");
            _connection = connection;
            _begin = Create(connection, "BEGIN");
            _end = Create(connection, "COMMIT");
            _select = Create(connection, SqliteSchema.SelectState, "$grain_type", "$state_name", "$grain_key");
            _stream = Create(connection, SqliteSchema.ReadStream, "$stream", "$after", "$max_count");
        });

        public Task ReadAsync(ReadBatch batch) => _worker.RunAsync(() =>
        {
            var select = _select!;
            var grainType = select.Parameters["$grain_type"];
            var stateName = select.Parameters["$state_name"];
            var grainKey = select.Parameters["$grain_key"];
            _begin!.ExecuteNonQuery();
            try
            {
                for (var i = 0; i < batch.Keys.Count; i++)
                {
                    var key = batch.Keys[i];
                    grainType.Value = key.GrainType;
                    stateName.Value = key.StateName;
                    grainKey.Value = key.GrainKey;
                    using var reader = select.ExecuteReader();
                    if (reader.Read())
                    {
                        batch.Results[i] = new StoredState(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1));
                    }
                }
            }
            finally
            {
                _end!.ExecuteNonQuery();
            }
        });

        public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount) => _worker.RunAsync<IReadOnlyList<StoredStreamEvent>>(() =>
        {
            var command = _stream!;
            command.Parameters["$stream"].Value = stream;
            command.Parameters["$after"].Value = afterSequence;
            command.Parameters["$max_count"].Value = maxCount;
            var events = new List<StoredStreamEvent>(Math.Min(maxCount, 256));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                events.Add(new StoredStreamEvent(
                    reader.GetInt64(0),
                    stream,
                    reader.GetString(1),
                    reader.GetFieldValue<byte[]>(2),
                    SqliteSchema.FromUnixMicroseconds(reader.GetInt64(3))));
            }

            return events;
        });

        public Task DisposeAsync() => _worker.StopAsync(() =>
        {
            _begin?.Dispose();
            _end?.Dispose();
            _select?.Dispose();
            _stream?.Dispose();
            _connection?.Dispose();
            _connection = null;
        });

        private static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
            }

            return command;
        }
    }
}
