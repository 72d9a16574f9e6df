using Microsoft.Data.Sqlite;

namespace OrleansVoucher.Silo.Storage.Sqlite;

/// <summary>The SQLite store's numbered schema migrations and the statements it runs.</summary>
internal static class SqliteSchema
{
    /// <summary>
    /// The migrations, in order. Each runs once, inside the transaction that records it in
    /// <c>schema_version</c>; a released migration is never changed, only followed by new ones.
    /// Times are microseconds since the Unix epoch, UTC.
    /// </summary>
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE grain_state (
                grain_type TEXT NOT NULL,
                state_name TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                version INTEGER NOT NULL,
                payload BLOB,
                modified_at INTEGER NOT NULL,
                PRIMARY KEY (grain_type, state_name, grain_key)
            );
            CREATE TABLE stream_event (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                stream TEXT NOT NULL,
                stream_key TEXT NOT NULL,
                payload BLOB NOT NULL,
                committed_at INTEGER NOT NULL
            );
            CREATE INDEX stream_event_stream_sequence ON stream_event (stream, sequence);
            """),

        // Expiring states (IExpiringState). The index is partial: states that never expire stay out of it.
        (2, """
            ALTER TABLE grain_state ADD COLUMN expires_at INTEGER;
            CREATE INDEX grain_state_expires_at ON grain_state (expires_at) WHERE expires_at IS NOT NULL;
            """),
    ];

    public const string Insert = """
        INSERT INTO grain_state (grain_type, state_name, grain_key, version, payload, modified_at, expires_at)
        VALUES ($grain_type, $state_name, $grain_key, 1, $payload, $now, $expires_at)
        ON CONFLICT (grain_type, state_name, grain_key) DO NOTHING
        """;

    public const string Update = """
        UPDATE grain_state
        SET version = $expected + 1, payload = $payload, modified_at = $now, expires_at = $expires_at
        WHERE grain_type = $grain_type AND state_name = $state_name AND grain_key = $grain_key AND version = $expected
        """;

    public const string SelectState = """
        SELECT version, payload FROM grain_state
        WHERE grain_type = $grain_type AND state_name = $state_name AND grain_key = $grain_key
        """;

    /// <summary>
    /// Deletes up to <c>$max_count</c> states whose expiry is before <c>$expired_before</c>, found through the
    /// partial index. It runs on the write connection between batches, so no write can interleave.
    /// </summary>
    public const string DeleteExpired = """
        DELETE FROM grain_state
        WHERE rowid IN (SELECT rowid FROM grain_state WHERE expires_at < $expired_before LIMIT $max_count)
        """;

    public const string AppendEvent = """
        INSERT INTO stream_event (stream, stream_key, payload, committed_at)
        VALUES ($stream, $stream_key, $payload, $now)
        """;

    public const string ReadStream = """
        SELECT sequence, stream_key, payload, committed_at FROM stream_event
        WHERE stream = $stream AND sequence > $after
        ORDER BY sequence
        LIMIT $max_count
        """;

    /// <summary>
    /// Brings the database to the latest version inside one write transaction (which also serializes
    /// processes opening the same file at once) and returns the versions before and after.
    /// </summary>
    public static (int From, int To) Migrate(SqliteConnection connection)
    {
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version";
            var current = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            var latest = Migrations[^1].Version;
            if (current > latest)
            {
                throw new InvalidOperationException($"The SQLite database is at schema version {current}, newer than this release's {latest}; run a newer release.");
            }

            foreach (var (version, sql) in Migrations)
            {
                if (version <= current)
                {
                    continue;
                }

                Execute(connection, sql);
                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $now)";
                record.Parameters.AddWithValue("$version", version);
                record.Parameters.AddWithValue("$now", ToUnixMicroseconds(DateTimeOffset.UtcNow));
                record.ExecuteNonQuery();
            }

            Execute(connection, "COMMIT");
            return (current, latest);
        }
        catch
        {
            try
            {
                Execute(connection, "ROLLBACK");
            }
            catch (SqliteException)
            {
                // The failure already ended the transaction.
            }

            throw;
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long ToUnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromUnixMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);

    /// <summary>Opens a connection with the settings every connection of the store shares.</summary>
    public static SqliteConnection Open(string path, TimeSpan busyTimeout)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,

            // The store keeps its connections open for its lifetime; closing one must close the file.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ConnectionString;
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
