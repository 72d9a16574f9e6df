using Microsoft.Data.Sqlite;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Silo.Storage.Sqlite;

/// <summary>
/// The store's one write connection and the thread that drives it. A batch is one
/// <c>BEGIN IMMEDIATE</c> ... <c>COMMIT</c>: each state write is a prepared conditional insert or
/// update whose change count tells whether its version check passed, and a unit writing several
/// states runs inside a savepoint that is rolled back when one of them fails.
/// </summary>
internal sealed class SqliteBatchWriter : IWriteBatchExecutor
{
    private readonly SqliteWorker _worker = new("OrleansVoucher SQLite writer");
    private readonly TimeProvider _timeProvider;
    private SqliteConnection? _connection;
    private Statements? _statements;

    public SqliteBatchWriter(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>
    /// Opens the connection in WAL mode with the given durability and migrates the schema; returns
    /// the schema versions before and after.
    /// </summary>
    public Task<(int From, int To)> OpenAsync(string path, SqliteSynchronousMode synchronous, TimeSpan busyTimeout) => _worker.RunAsync(() =>
    {
        if (_connection is not null)
        {
            return SqliteSchema.Migrate(_connection);
        }

        var connection = SqliteSchema.Open(path, busyTimeout);
        try
        {
            using (var journal = connection.CreateCommand())
            {
                journal.CommandText = "PRAGMA journal_mode = WAL";
                var mode = journal.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"The SQLite database '{path}' cannot use write-ahead logging (journal mode stays '{mode}'); it must be a file on a local file system.");
                }
            }

            SqliteSchema.Execute(connection, synchronous switch
            {
                SqliteSynchronousMode.Normal => "PRAGMA synchronous = NORMAL",
                SqliteSynchronousMode.Extra => "PRAGMA synchronous = EXTRA",
                _ => "PRAGMA synchronous = FULL",
            });
            var versions = SqliteSchema.Migrate(connection);
            _connection = connection;
            _statements = new Statements(connection);
            return versions;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    });

    /// <inheritdoc />
    public Task ExecuteAsync(WriteBatch batch) => _worker.RunAsync(() => Execute(batch));

    /// <summary>
    /// Deletes up to <paramref name="maxCount"/> states expired before <paramref name="expiredBefore"/>,
    /// between batches: one statement, atomic on its own.
    /// </summary>
    public Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount) => _worker.RunAsync(() =>
    {
        var s = _statements ?? throw new InvalidOperationException("The SQLite grain storage is not initialized; call InitializeAsync first.");
        s.DeleteExpiredBefore.Value = SqliteSchema.ToUnixMicroseconds(expiredBefore);
        s.DeleteExpiredMaxCount.Value = maxCount;
        return s.DeleteExpired.ExecuteNonQuery();
    });

    /// <summary>Closes the connection (checkpointing the WAL) and ends the thread.</summary>
    public Task DisposeAsync() => _worker.StopAsync(() =>
    {
        _statements?.Dispose();
        _connection?.Dispose();
        _statements = null;
        _connection = null;
    });

    private void Execute(WriteBatch batch)
    {
        var s = _statements ?? throw new InvalidOperationException("The SQLite grain storage is not initialized; call InitializeAsync first.");
        var now = SqliteSchema.ToUnixMicroseconds(_timeProvider.GetUtcNow());
        s.Begin.ExecuteNonQuery();
        try
        {
            foreach (var pending in batch.Units)
            {
                var states = pending.Unit.States;
                var savepoint = states.Count > 1;
                if (savepoint)
                {
                    s.Savepoint.ExecuteNonQuery();
                }

                var lost = -1;
                for (var i = 0; i < states.Count; i++)
                {
                    if (!TryWrite(s, states[i], now))
                    {
                        lost = i;
                        break;
                    }
                }

                if (lost >= 0)
                {
                    if (savepoint)
                    {
                        s.RollbackToSavepoint.ExecuteNonQuery();
                        s.ReleaseSavepoint.ExecuteNonQuery();
                    }

                    var write = states[lost];
                    pending.MarkConflict(write.Key, write.ExpectedVersion, ReadVersion(s, write.Key));
                    continue;
                }

                foreach (var e in pending.Unit.Events)
                {
                    s.AppendStream.Value = e.Stream;
                    s.AppendStreamKey.Value = e.Key;
                    s.AppendPayload.Value = e.Payload;
                    s.AppendNow.Value = now;
                    s.Append.ExecuteNonQuery();
                }

                if (savepoint)
                {
                    s.ReleaseSavepoint.ExecuteNonQuery();
                }

                pending.MarkWritten();
            }

            s.Commit.ExecuteNonQuery();
        }
        catch
        {
            try
            {
                s.Rollback.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // The failure already ended the transaction.
            }

            throw;
        }
    }

    private static bool TryWrite(Statements s, StateWrite write, long now)
    {
        SqliteCommand command;
        if (write.ExpectedVersion == 0)
        {
            command = s.Insert;
        }
        else if (write.ExpectedVersion > 0)
        {
            command = s.Update;
            command.Parameters["$expected"].Value = write.ExpectedVersion;
        }
        else
        {
            return false;
        }

        command.Parameters["$grain_type"].Value = write.Key.GrainType;
        command.Parameters["$state_name"].Value = write.Key.StateName;
        command.Parameters["$grain_key"].Value = write.Key.GrainKey;
        command.Parameters["$payload"].Value = (object?)write.Payload ?? DBNull.Value;
        command.Parameters["$now"].Value = now;
        command.Parameters["$expires_at"].Value = write.ExpiresAt is { } expiresAt ? SqliteSchema.ToUnixMicroseconds(expiresAt) : DBNull.Value;
        return command.ExecuteNonQuery() == 1;
    }

    private static long ReadVersion(Statements s, GrainStateKey key)
    {
        s.SelectGrainType.Value = key.GrainType;
        s.SelectStateName.Value = key.StateName;
        s.SelectGrainKey.Value = key.GrainKey;
        using var reader = s.Select.ExecuteReader();
        return reader.Read() ? reader.GetInt64(0) : 0;
    }

    /// <summary>The write connection's statements, prepared on first use and reused for every row.</summary>
    private sealed class Statements : IDisposable
    {
        public Statements(SqliteConnection connection)
        {
            Begin = Create(connection, "BEGIN IMMEDIATE");
            Commit = Create(connection, "COMMIT");
            Rollback = Create(connection, "ROLLBACK");
            Savepoint = Create(connection, "SAVEPOINT unit");
            RollbackToSavepoint = Create(connection, "ROLLBACK TO unit");
            ReleaseSavepoint = Create(connection, "RELEASE unit");
            Insert = Create(connection, SqliteSchema.Insert, "$grain_type", "$state_name", "$grain_key", "$payload", "$now", "$expires_at");
            Update = Create(connection, SqliteSchema.Update, "$grain_type", "$state_name", "$grain_key", "$payload", "$now", "$expected", "$expires_at");
            DeleteExpired = Create(connection, SqliteSchema.DeleteExpired, "$expired_before", "$max_count");
            DeleteExpiredBefore = DeleteExpired.Parameters["$expired_before"];
            DeleteExpiredMaxCount = DeleteExpired.Parameters["$max_count"];
            Select = Create(connection, SqliteSchema.SelectState, "$grain_type", "$state_name", "$grain_key");
            SelectGrainType = Select.Parameters["$grain_type"];
            SelectStateName = Select.Parameters["$state_name"];
            SelectGrainKey = Select.Parameters["$grain_key"];
            Append = Create(connection, SqliteSchema.AppendEvent, "$stream", "$stream_key", "$payload", "$now");
            AppendStream = Append.Parameters["$stream"];
            AppendStreamKey = Append.Parameters["$stream_key"];
            AppendPayload = Append.Parameters["$payload"];
            AppendNow = Append.Parameters["$now"];
        }

        public SqliteCommand Begin { get; }

        public SqliteCommand Commit { get; }

        public SqliteCommand Rollback { get; }

        public SqliteCommand Savepoint { get; }

        public SqliteCommand RollbackToSavepoint { get; }

        public SqliteCommand ReleaseSavepoint { get; }

        public SqliteCommand Insert { get; }

        public SqliteCommand Update { get; }

        public SqliteCommand Select { get; }

        public SqliteCommand DeleteExpired { get; }

        public SqliteParameter DeleteExpiredBefore { get; }

        public SqliteParameter DeleteExpiredMaxCount { get; }

        public SqliteParameter SelectGrainType { get; }

        public SqliteParameter SelectStateName { get; }

        public SqliteParameter SelectGrainKey { get; }

        public SqliteCommand Append { get; }

        public SqliteParameter AppendStream { get; }

        public SqliteParameter AppendStreamKey { get; }

        public SqliteParameter AppendPayload { get; }

        public SqliteParameter AppendNow { get; }

        public void Dispose()
        {
            foreach (var command in new[] { Begin, Commit, Rollback, Savepoint, RollbackToSavepoint, ReleaseSavepoint, Insert, Update, Select, DeleteExpired, Append })
            {
                command.Dispose();
            }
        }

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
