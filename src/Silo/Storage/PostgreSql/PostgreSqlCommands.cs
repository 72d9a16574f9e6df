using System.Text;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>
/// The SQL of the PostgreSQL store for one schema: the numbered schema migrations and the statements
/// that batches of reads and writes run.
/// </summary>
internal sealed class PostgreSqlCommands
{
    /// <summary>Joins a stored state <c>g</c> to the input row <c>t</c> of the same key.</summary>
    private const string SameKey = "g.grain_type = t.grain_type AND g.state_name = t.state_name AND g.grain_key = t.grain_key";

    private readonly string _schema;
    private readonly string[] _writes;

    public PostgreSqlCommands(string schema)
    {
        _schema = schema;
        MigrationLockKey = StableHash("OrleansVoucher.Silo.Storage.PostgreSql/migrations/" + schema);
        EventAppendLockKey = StableHash("OrleansVoucher.Silo.Storage.PostgreSql/stream_event/" + schema);
        _writes = new string[8];
        for (var variant = 0; variant < _writes.Length; variant++)
        {
            _writes[variant] = BuildWrite(guarded: (variant & 1) != 0, withEvents: (variant & 2) != 0, optimistic: (variant & 4) != 0);
        }

        ReadStates = $"""
            SELECT t.ord, g.version, g.payload
            FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(grain_type, state_name, grain_key, ord)
            JOIN {schema}.grain_state AS g ON {SameKey}
            """;
        UpdateStates = $"""
            UPDATE {schema}.grain_state AS g
            SET version = t.expected + 1, payload = t.payload, modified_at = now(), expires_at = t.expires_at
            FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::bytea[], $6::timestamptz[]) WITH ORDINALITY AS t(grain_type, state_name, grain_key, expected, payload, expires_at, ord)
            WHERE {SameKey} AND g.version = t.expected
            RETURNING t.ord
            """;
        DeleteExpired = $"""
            WITH expired AS (
                SELECT grain_type, state_name, grain_key
                FROM {schema}.grain_state
                WHERE expires_at < $1
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            )
            DELETE FROM {schema}.grain_state AS g
            USING expired AS t
            WHERE {SameKey}
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

    /// <summary>
    /// The statement writing a batch (see <see cref="BuildWrite"/>): guarded when a unit writes several
    /// states, with events when a unit appends any, optimistic unless a previous attempt of the batch
    /// met an existing row where it expected none.
    /// </summary>
    public string Write(bool guarded, bool withEvents, bool optimistic) =>
        _writes[(guarded ? 1 : 0) | (withEvents ? 2 : 0) | (optimistic ? 4 : 0)];

    /// <summary>
    /// Updates a batch of existing states, each only while its version is still the expected one
    /// (parameters: grain types, state names, grain keys, expected versions, payloads, expiries; the
    /// expiries may be an empty array, which <c>unnest</c> pads with nulls), and returns the
    /// ordinal (1-based) of each state it wrote. Under READ COMMITTED an update that meets a concurrent
    /// writer re-evaluates its condition on the row that writer committed, so of two racing writers of
    /// the same version exactly one wins, whichever process it lives in.
    /// </summary>
    public string UpdateStates { get; }

    /// <summary>Reads the states of a batch of keys.</summary>
    public string ReadStates { get; }

    /// <summary>
    /// Deletes up to <c>$2</c> states whose expiry is before <c>$1</c>. The rows are chosen through the
    /// partial index on <c>expires_at</c> and locked before they are deleted; a row a writer holds
    /// locked is skipped (it is being rewritten, or another process sweeps it), and a row rewritten
    /// since the statement's snapshot is re-checked against the condition on its new version (READ
    /// COMMITTED), so a state just given a later or no expiry is never deleted.
    /// </summary>
    public string DeleteExpired { get; }

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

        // Expiring states (IExpiringState): adding a nullable column without a default changes only the
        // catalog. The index is partial, so states that never expire (almost all of them) are not in it,
        // and their updates, which leave expires_at null, stay HOT updates. Building it scans the table
        // once, holding writes back meanwhile.
        (2, $"""
            ALTER TABLE {_schema}.grain_state ADD COLUMN expires_at timestamptz;
            COMMENT ON COLUMN {_schema}.grain_state.expires_at IS 'When the state may be forgotten; null: kept. Rows expired for longer than the sweep''s grace period are deleted.';
            CREATE INDEX grain_state_expires_at ON {_schema}.grain_state (expires_at) WHERE expires_at IS NOT NULL;
            """),

        // Payloads over about 2 KB are compressed before they are stored: the event a bulk batch
        // announces on its campaign's stream carries every voucher of the batch (hundreds of KB), and
        // compressing it with the default pglz cost about 4% of the database's CPU in a bulk job. LZ4
        // compresses several times faster. Only the catalog changes; values already stored keep their
        // method and are read as before. A server built without LZ4 keeps pglz.
        (3, $"""
            DO $$
            BEGIN
                ALTER TABLE {_schema}.stream_event ALTER COLUMN payload SET COMPRESSION lz4;
                ALTER TABLE {_schema}.grain_state ALTER COLUMN payload SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN
                NULL;
            END
            $$;
            """),

        // Events are read by stream only (ReadStream), never by sequence alone, so the key is (stream,
        // sequence) and the first key's index on the sequence is gone: an appended event costs one index
        // entry instead of two (in a bulk job, two of every voucher's six). The sequence still draws
        // every number once. Building the key scans the table once, holding appends back meanwhile.
        (4, $"""
            ALTER TABLE {_schema}.stream_event DROP CONSTRAINT stream_event_pkey;
            ALTER TABLE {_schema}.stream_event ADD CONSTRAINT stream_event_pkey PRIMARY KEY (stream, sequence);
            DROP INDEX {_schema}.stream_event_stream_sequence;
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
    /// The batch write. Parameters 1-8 describe the state writes in batch order (unit index, grain type,
    /// state name, grain key, expected version, payload, guarded, expiry; the expiries may be an empty
    /// array, which <c>unnest</c> pads with nulls); 9-12 the events (unit index,
    /// stream, stream key, payload) and 13 the event append lock. The statement returns one row per state write
    /// that was NOT written: its ordinal (1-based) and the version the statement saw.
    /// </summary>
    /// <remarks>
    /// <para>A write expecting version 0 inserts (ON CONFLICT DO NOTHING), one expecting v &gt; 0 updates the
    /// row only while its version is still v. Under READ COMMITTED both re-check against the newest
    /// committed row when they meet a concurrent writer (the insert waits for the other inserter's
    /// outcome, the update re-evaluates its condition on the updated row), so exactly one of two
    /// racing writers of the same version wins, whichever process it lives in.</para>
    /// <para>The writes read the arrays directly, so payloads are never copied into an intermediate
    /// result; the misses are found by anti-joining the keys with what the writes returned.</para>
    /// <para>The optimistic form inserts without ON CONFLICT, which costs about half as much per row:
    /// creating a state that already exists is rare (a stale activation), and when it happens the whole
    /// statement fails with a unique violation, nothing of it stays, and the caller runs the batch again
    /// in the careful form, which turns such an insert into a miss. The optimistic form also returns a
    /// row with ordinal 0 carrying the number of rows inserted (which makes the inserts run before the
    /// event append).</para>
    /// <para>A guarded row belongs to a unit writing several states. Those rows are first locked in key
    /// order and a unit is written only if every one of its rows passes against the locked versions,
    /// so a stale unit fails without writing anything. What locking cannot cover is a row absent at
    /// the snapshot that another process inserts concurrently: then a unit can be half written, and the
    /// caller must roll the transaction back (guarded batches run in an explicit transaction).</para>
    /// <para>Events are appended, in batch order, only for units none of whose state writes missed.
    /// Not referenced by the final query, the append runs after it, that is after the state writes; it
    /// takes the event append lock before its rows (and their sequence numbers) are produced, and the
    /// lock is held until the transaction ends.</para>
    /// </remarks>
    private string BuildWrite(bool guarded, bool withEvents, bool optimistic)
    {
        var s = _schema;
        const string Keys = "$2::text[], $3::text[], $4::text[]";
        var notRejected = guarded ? " AND NOT EXISTS (SELECT 1 FROM rejected AS r WHERE r.unit = t.unit)" : "";
        var sql = new StringBuilder("WITH\n");
        if (guarded)
        {
            sql.Append($"""
                locked AS MATERIALIZED (
                    SELECT g.grain_type, g.state_name, g.grain_key, g.version
                    FROM unnest({Keys}, $7::bool[]) AS t(grain_type, state_name, grain_key, guarded)
                    JOIN {s}.grain_state AS g ON {SameKey}
                    WHERE t.guarded
                    ORDER BY g.grain_type, g.state_name, g.grain_key
                    FOR UPDATE OF g
                ),
                rejected AS MATERIALIZED (
                    SELECT DISTINCT t.unit
                    FROM unnest($1::int4[], {Keys}, $5::int8[], $7::bool[]) AS t(unit, grain_type, state_name, grain_key, expected, guarded)
                    LEFT JOIN locked AS g ON {SameKey}
                    WHERE t.guarded AND coalesce(g.version, 0) <> t.expected
                ),

                """);
        }

        sql.Append($"""
            inserted AS (
                INSERT INTO {s}.grain_state AS g (grain_type, state_name, grain_key, version, payload, modified_at, expires_at)
                SELECT t.grain_type, t.state_name, t.grain_key, 1, t.payload, now(), t.expires_at
                FROM unnest($1::int4[], {Keys}, $5::int8[], $6::bytea[], $8::timestamptz[]) AS t(unit, grain_type, state_name, grain_key, expected, payload, expires_at)
                WHERE t.expected = 0{notRejected}
                {(optimistic ? "RETURNING 1" : "ON CONFLICT (grain_type, state_name, grain_key) DO NOTHING RETURNING g.grain_type, g.state_name, g.grain_key")}
            ),
            updated AS (
                UPDATE {s}.grain_state AS g
                SET version = t.expected + 1, payload = t.payload, modified_at = now(), expires_at = t.expires_at
                FROM unnest($1::int4[], {Keys}, $5::int8[], $6::bytea[], $8::timestamptz[]) WITH ORDINALITY AS t(unit, grain_type, state_name, grain_key, expected, payload, expires_at, ord)
                WHERE t.expected > 0 AND {SameKey} AND g.version = t.expected{notRejected}
                RETURNING t.ord
            ),
            missed AS MATERIALIZED (
                SELECT t.ord, t.unit, t.grain_type, t.state_name, t.grain_key
                FROM unnest($1::int4[], {Keys}, $5::int8[]) WITH ORDINALITY AS t(unit, grain_type, state_name, grain_key, expected, ord)
                WHERE t.expected = 0 AND {(optimistic
                    ? guarded ? "EXISTS (SELECT 1 FROM rejected AS r WHERE r.unit = t.unit)" : "false"
                    : $"NOT EXISTS (SELECT 1 FROM inserted AS g WHERE {SameKey})")}
                UNION ALL
                SELECT t.ord, t.unit, t.grain_type, t.state_name, t.grain_key
                FROM unnest($1::int4[], {Keys}, $5::int8[]) WITH ORDINALITY AS t(unit, grain_type, state_name, grain_key, expected, ord)
                WHERE t.expected <> 0 AND NOT EXISTS (SELECT 1 FROM updated AS u WHERE u.ord = t.ord)
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
                    CROSS JOIN unnest($9::int4[], $10::text[], $11::text[], $12::bytea[]) WITH ORDINALITY AS e(unit, stream, stream_key, payload, ord)
                    WHERE NOT EXISTS (SELECT 1 FROM missed AS m WHERE m.unit = e.unit)
                    ORDER BY e.ord
                    RETURNING sequence
                )
                """);
        }

        // The version reported for a state not written: the locked one for guarded rows (the newest),
        // else the one the statement's snapshot holds, which predates any writer it waited for.
        sql.Append($"""

            SELECT t.ord, {(guarded ? "coalesce(l.version, g.version)" : "g.version")}
            FROM missed AS t
            LEFT JOIN {s}.grain_state AS g ON {SameKey}
            """);
        if (guarded)
        {
            sql.Append("""

                LEFT JOIN locked AS l ON l.grain_type = t.grain_type AND l.state_name = t.state_name AND l.grain_key = t.grain_key
                """);
        }

        if (optimistic)
        {
            sql.Append("""

                UNION ALL
                SELECT 0, count(*) FROM inserted
                """);
        }

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
