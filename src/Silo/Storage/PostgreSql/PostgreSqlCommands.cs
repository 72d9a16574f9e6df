using System.Text;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>
/// The SQL of the PostgreSQL store for one schema: the numbered schema migrations and the statements
/// that batches of reads and writes run.
/// </summary>
internal sealed class PostgreSqlCommands
{
    private readonly string _schema;

    public PostgreSqlCommands(string schema)
    {
        _schema = schema;
        MigrationLockKey = StableHash("OrleansVoucher.Silo.Storage.PostgreSql/migrations/" + schema);
        EventAppendLockKey = StableHash("OrleansVoucher.Silo.Storage.PostgreSql/stream_event/" + schema);
        WriteSingle = BuildWrite(guarded: false, withEvents: false);
        WriteSingleWithEvents = BuildWrite(guarded: false, withEvents: true);
        WriteGuarded = BuildWrite(guarded: true, withEvents: false);
        WriteGuardedWithEvents = BuildWrite(guarded: true, withEvents: true);
        ReadStates = $"""
            SELECT t.ord, g.version, g.payload
            FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(grain_type, state_name, grain_key, ord)
            JOIN {schema}.grain_state AS g
              ON g.grain_type = t.grain_type AND g.state_name = t.state_name AND g.grain_key = t.grain_key
            """;
        ReadStream = $"""
            SELECT sequence, stream_key, payload, committed_at
            FROM {schema}.stream_event
            WHERE stream = $1 AND sequence > $2
            ORDER BY sequence
            LIMIT $3
            """;
    }

    /// <summary>The schema's name.</summary>
    public string Schema => _schema;

    /// <summary>The advisory lock that serializes schema migrations of this schema across processes.</summary>
    public long MigrationLockKey { get; }

    /// <summary>
    /// The advisory lock a transaction holds from before it draws stream sequence numbers until it
    /// commits, so that sequence order is commit order for every transaction sharing the schema.
    /// </summary>
    public long EventAppendLockKey { get; }

    /// <summary>Writes a batch whose units write at most one state each.</summary>
    public string WriteSingle { get; }

    /// <summary>Like <see cref="WriteSingle"/>, also appending the events of the units that were written.</summary>
    public string WriteSingleWithEvents { get; }

    /// <summary>Writes a batch that holds units writing several states.</summary>
    public string WriteGuarded { get; }

    /// <summary>Like <see cref="WriteGuarded"/>, also appending the events of the units that were written.</summary>
    public string WriteGuardedWithEvents { get; }

    /// <summary>Reads the states of a batch of keys.</summary>
    public string ReadStates { get; }

    /// <summary>Reads a page of a stream's events.</summary>
    public string ReadStream { get; }

    /// <summary>Takes the transaction-scoped advisory lock given as the first parameter.</summary>
    public static string TakeLock => "SELECT pg_advisory_xact_lock($1)";

    /// <summary>
    /// The migrations, in order. Each runs once, inside the transaction that records it in
    /// <c>schema_version</c>; a migration once released is never changed, only followed by new ones.
    /// </summary>
    public IReadOnlyList<(int Version, string Sql)> Migrations =>
    [
        (1, $"""
            CREATE TABLE {_schema}.grain_state (
                grain_type text COLLATE "C" NOT NULL,
                state_name text COLLATE "C" NOT NULL,
                grain_key text COLLATE "C" NOT NULL,
                version bigint NOT NULL,
                payload bytea,
                modified_at timestamptz NOT NULL,
                CONSTRAINT grain_state_pkey PRIMARY KEY (grain_type, state_name, grain_key)
            ) WITH (fillfactor = 90);
            COMMENT ON TABLE {_schema}.grain_state IS 'Grain states. version counts writes; a cleared state keeps its row with a null payload.';
            CREATE TABLE {_schema}.stream_event (
                sequence bigserial PRIMARY KEY,
                stream text COLLATE "C" NOT NULL,
                stream_key text COLLATE "C" NOT NULL,
                payload bytea NOT NULL,
                committed_at timestamptz NOT NULL
            );
            CREATE INDEX stream_event_stream_sequence ON {_schema}.stream_event (stream, sequence);
            """),
    ];

    /// <summary>Creates the table of applied migrations if missing.</summary>
    public string CreateSchemaVersionTable => $"""
        CREATE TABLE IF NOT EXISTS {_schema}.schema_version (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    /// <summary>The highest applied migration, 0 for none.</summary>
    public string ReadSchemaVersion => $"SELECT coalesce(max(version), 0) FROM {_schema}.schema_version";

    /// <summary>Records an applied migration; its number is the first parameter.</summary>
    public string RecordSchemaVersion => $"INSERT INTO {_schema}.schema_version (version) VALUES ($1)";

    /// <summary>
    /// The batch write. Parameters 1-7 describe the state writes in batch order (unit index, grain type,
    /// state name, grain key, expected version, payload, guarded); 8-12 the events (unit index, the
    /// unit's state write count, stream, stream key, payload) and 13 the event append lock. The statement
    /// returns one row per state write that was NOT written: its ordinal (1-based) and the version the
    /// statement's snapshot saw.
    /// </summary>
    /// <remarks>
    /// <para>A write expecting version 0 inserts (ON CONFLICT DO NOTHING), one expecting v &gt; 0 updates the
    /// row only while its version is still v. Under READ COMMITTED both re-check against the newest
    /// committed row when they meet a concurrent writer (the insert waits for the other inserter's
    /// outcome, the update re-evaluates its condition on the updated row), so exactly one of two
    /// racing writers of the same version wins, whichever process it lives in.</para>
    /// <para>A guarded row belongs to a unit writing several states. Those rows are first locked in key
    /// order and a unit is written only if every one of its rows passes against the locked versions,
    /// so a stale unit fails without writing anything. What locking cannot cover is a row absent at
    /// the snapshot that another process inserts concurrently: then a unit can be half written, and the
    /// caller must roll the transaction back (guarded batches run in an explicit transaction).</para>
    /// <para>Events are appended, in batch order, only for units all of whose state writes were written.
    /// Not referenced by the final query, the append runs after it, that is after the state writes; it
    /// takes the event append lock before its rows (and their sequence numbers) are produced, the sort
    /// standing between the lock and the insert, and the lock is held until the transaction ends.</para>
    /// </remarks>
    private string BuildWrite(bool guarded, bool withEvents)
    {
        var s = _schema;
        var sql = new StringBuilder();
        sql.Append($"""
            WITH input AS MATERIALIZED (
                SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::bytea[], $7::bool[])
                    WITH ORDINALITY AS t(unit, grain_type, state_name, grain_key, expected, payload, guarded, ord)
            ),

            """);
        if (guarded)
        {
            sql.Append($"""
                locked AS MATERIALIZED (
                    SELECT g.grain_type, g.state_name, g.grain_key, g.version
                    FROM {s}.grain_state AS g
                    JOIN input AS i ON g.grain_type = i.grain_type AND g.state_name = i.state_name AND g.grain_key = i.grain_key
                    WHERE i.guarded
                    ORDER BY g.grain_type, g.state_name, g.grain_key
                    FOR UPDATE OF g
                ),
                rejected AS MATERIALIZED (
                    SELECT DISTINCT i.unit
                    FROM input AS i
                    LEFT JOIN locked AS l ON l.grain_type = i.grain_type AND l.state_name = i.state_name AND l.grain_key = i.grain_key
                    WHERE i.guarded AND coalesce(l.version, 0) <> i.expected
                ),
                accepted AS MATERIALIZED (
                    SELECT i.* FROM input AS i WHERE NOT EXISTS (SELECT 1 FROM rejected AS r WHERE r.unit = i.unit)
                ),

                """);
        }
        else
        {
            sql.Append("""
                accepted AS (SELECT * FROM input),

                """);
        }

        sql.Append($"""
            inserted AS (
                INSERT INTO {s}.grain_state AS g (grain_type, state_name, grain_key, version, payload, modified_at)
                SELECT a.grain_type, a.state_name, a.grain_key, 1, a.payload, now()
                FROM accepted AS a
                WHERE a.expected = 0
                ORDER BY a.ord
                ON CONFLICT (grain_type, state_name, grain_key) DO NOTHING
                RETURNING g.grain_type, g.state_name, g.grain_key
            ),
            updated AS (
                UPDATE {s}.grain_state AS g
                SET version = a.expected + 1, payload = a.payload, modified_at = now()
                FROM accepted AS a
                WHERE a.expected > 0
                  AND g.grain_type = a.grain_type AND g.state_name = a.state_name AND g.grain_key = a.grain_key
                  AND g.version = a.expected
                RETURNING a.ord, a.unit
            ),
            written AS MATERIALIZED (
                SELECT i.ord, i.unit
                FROM inserted AS n
                JOIN input AS i ON i.grain_type = n.grain_type AND i.state_name = n.state_name AND i.grain_key = n.grain_key
                UNION ALL
                SELECT u.ord, u.unit FROM updated AS u
            )
            """);
        if (withEvents)
        {
            sql.Append($"""
                ,
                appended AS (
                    INSERT INTO {s}.stream_event (stream, stream_key, payload, committed_at)
                    SELECT e.stream, e.stream_key, e.payload, now()
                    FROM (SELECT pg_advisory_xact_lock($13)) AS serialized
                    CROSS JOIN unnest($8::int4[], $9::int4[], $10::text[], $11::text[], $12::bytea[])
                        WITH ORDINALITY AS e(unit, state_count, stream, stream_key, payload, ord)
                    LEFT JOIN (SELECT w.unit, count(*) AS written_count FROM written AS w GROUP BY w.unit) AS d ON d.unit = e.unit
                    WHERE e.state_count = coalesce(d.written_count, 0)
                    ORDER BY e.ord
                    RETURNING sequence
                )
                """);
        }

        // The version reported for a state not written: the locked one for guarded rows (the newest),
        // else the statement snapshot's, which predates any writer this statement waited for.
        sql.Append($"""

            SELECT i.ord, {(guarded ? "coalesce(l.version, g.version)" : "g.version")}
            FROM input AS i
            LEFT JOIN {s}.grain_state AS g ON g.grain_type = i.grain_type AND g.state_name = i.state_name AND g.grain_key = i.grain_key

            """);
        if (guarded)
        {
            sql.Append("""
                LEFT JOIN locked AS l ON l.grain_type = i.grain_type AND l.state_name = i.state_name AND l.grain_key = i.grain_key

                """);
        }

        sql.Append("WHERE NOT EXISTS (SELECT 1 FROM written AS w WHERE w.ord = i.ord)");
        return sql.ToString();
    }

    /// <summary>A 64-bit FNV-1a hash of the text's UTF-8 bytes: the same in every process and release.</summary>
    private static long StableHash(string text)
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
