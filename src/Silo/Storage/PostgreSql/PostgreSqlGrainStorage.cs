using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>
/// Grain storage in PostgreSQL, shared safely by several silos. Concurrent writes are group-committed:
/// the units of many grains travel as one statement and commit in one transaction, and every unit's
/// version checks are decided by the database, so a write that lost a race with another silo fails
/// with <see cref="InconsistentStateException"/>. Concurrent reads are coalesced into one query.
/// </summary>
/// <remarks>
/// Stream events are numbered from one sequence. A transaction appending events holds an advisory lock
/// from before it draws its numbers until it commits, so events become visible in sequence order even
/// with several silos (or several transactions of one silo) appending: a reader paging with
/// <see cref="ReadStreamAsync"/> never skips an event. The lock is taken after the transaction's state
/// writes, so only the appends and the commit of concurrent transactions take turns. Sequence numbers
/// can have gaps (from rolled-back transactions).
/// </remarks>
public sealed partial class PostgreSqlGrainStorage : IGrainStorage, IAsyncDisposable
{
    private const string StoreName = "PostgreSQL";

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _customPlanDataSource;
    private readonly PostgreSqlCommands _commands;
    private readonly GroupCommitWriter _writer;
    private readonly ReadBatcher _reader;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates the store; call <see cref="InitializeAsync"/> before using it.</summary>
    /// <param name="options">Connection, schema and batching settings.</param>
    /// <param name="metrics">Where batch sizes, durations and conflicts are recorded; null for none.</param>
    /// <param name="logger">Where schema migrations and failed transactions are logged.</param>
    public PostgreSqlGrainStorage(PostgreSqlStorageOptions options, SiloMetrics? metrics = null, ILogger<PostgreSqlGrainStorage>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _logger = logger ?? NullLogger<PostgreSqlGrainStorage>.Instance;
        _commands = new PostgreSqlCommands(options.Schema);

        _dataSource = BuildDataSource(options, reusePlans: true);
        _customPlanDataSource = BuildDataSource(options, reusePlans: false);
        BatchWriter = new PostgreSqlBatchWriter(_dataSource, _customPlanDataSource, _commands, options.MaxTransientRetries, options.OptimisticInserts, _logger);
        _writer = new GroupCommitWriter(
            BatchWriter,
            StoreName,
            options.MaxBatchSize,
            options.MaxBatchBytes,
            options.MaxConcurrentBatches,
            serializeEventBatches: false,
            metrics,
            _logger);
        // Reads are planned for their keys. On generic plans they once cost bulk batches half as much
        // again per voucher, but those were the plans that scanned a new table (see BuildDataSource);
        // on index-only generic plans, reads measured level with these in bulk jobs and activations.
        _reader = new ReadBatcher(new PostgreSqlBatchReader(_customPlanDataSource, _commands), StoreName, options.MaxReadBatchSize, options.MaxConcurrentReads, metrics, _logger);
    }

    /// <summary>The connections of reused plans, for tests that hold a transaction as a stalled silo would.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>The group commit loop, for tests.</summary>
    internal GroupCommitWriter Writer => _writer;

    /// <summary>The read coalescing loop, for tests.</summary>
    internal ReadBatcher Reader => _reader;

    /// <summary>What runs the group commit loop's batches, for tests.</summary>
    internal PostgreSqlBatchWriter BatchWriter { get; }

    /// <summary>
    /// Creates the schema and its tables, or migrates them to this release's version. Safe when several
    /// silos start at once: migrations run under an advisory lock, each in the transaction that records it.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, PostgreSqlCommands.TakeLock, _commands.MigrationLockKey, cancellationToken).ConfigureAwait(false);

                // CREATE SCHEMA needs a privilege that a silo using an existing schema may lack.
                var schemaExists = await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", _commands.Schema, cancellationToken).ConfigureAwait(false);
                if (!schemaExists)
                {
                    await ExecuteAsync(connection, $"CREATE SCHEMA {_commands.Schema}", null, cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(connection, _commands.CreateSchemaVersionTable, null, cancellationToken).ConfigureAwait(false);
                var current = await ScalarAsync<int>(connection, _commands.ReadSchemaVersion, null, cancellationToken).ConfigureAwait(false);
                var migrations = _commands.Migrations;
                var latest = migrations[^1].Version;
                if (current > latest)
                {
                    throw new InvalidOperationException($"The PostgreSQL schema '{_commands.Schema}' is at version {current}, newer than this release's {latest}; run a newer release.");
                }

                foreach (var (version, sql) in migrations)
                {
                    if (version <= current)
                    {
                        continue;
                    }

                    await ExecuteAsync(connection, sql, null, cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, _commands.RecordSchemaVersion, version, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (current < latest)
                {
                    SchemaMigrated(_logger, _commands.Schema, current, latest);
                }
                else
                {
                    SchemaCurrent(_logger, _commands.Schema, current);
                }
            }
        }
    }

    /// <inheritdoc />
    public Task<StoredState> ReadAsync(GrainStateKey key, CancellationToken cancellationToken) => _reader.ReadAsync(key, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredState>> ReadManyAsync(IReadOnlyList<GrainStateKey> keys, CancellationToken cancellationToken) => _reader.ReadManyAsync(keys, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> CommitAsync(WriteUnit unit, CancellationToken cancellationToken) => _writer.CommitAsync(unit, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(string stream, long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        StorageArguments.ValidateStream(stream);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (maxCount <= 0)
        {
            return [];
        }

        var command = _dataSource.CreateCommand(_commands.ReadStream);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = stream });
            command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = afterSequence });
            command.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = maxCount });
            var events = new List<StoredStreamEvent>(Math.Min(maxCount, 256));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    events.Add(new StoredStreamEvent(
                        reader.GetInt64(0),
                        stream,
                        reader.GetString(1),
                        reader.GetFieldValue<byte[]>(2),
                        reader.GetFieldValue<DateTimeOffset>(3)));
                }
            }

            return events;
        }
    }

    /// <inheritdoc />
    public async Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var command = _dataSource.CreateCommand(_commands.DeleteExpired);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = expiredBefore.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = maxCount });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Accepts no more calls, commits (or fails) every write already accepted and answers every read,
    /// then closes the connections.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await _customPlanDataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The connections of the store: ones whose statements may reuse a generic plan (<paramref name="reusePlans"/>),
    /// or ones that plan every execution for its parameters.
    /// </summary>
    /// <remarks>
    /// <para>The store runs a handful of statements over and over, so connections keep them prepared.
    /// With <c>auto</c>, PostgreSQL plans a prepared statement for its actual parameters only for its first
    /// executions, then reuses a generic plan when that is costed below them. The batch statements take
    /// arrays, which a generic plan costs at ten elements: for the batches of ordinary traffic (tens of
    /// units) PostgreSQL finds it no dearer and takes it, and not planning again saves 13–19% of the database's work
    /// per batch. A generic plan can pick joins that grow with the product of two arrays' lengths, though
    /// (a nested loop over a CTE), which a large batch would pay dearly; large batches, and the careful
    /// form of the statement, run on connections that plan every execution for its arrays
    /// (<c>force_custom_plan</c>), see <see cref="PostgreSqlBatchWriter.DataSourceFor"/>; so do reads,
    /// whose key arrays run to the hundreds in bulk issuance.</para>
    /// <para>The store leaves no session state behind on a connection (its locks are transaction
    /// locks; it sets nothing, listens to nothing, keeps no cursors or temporary tables), so a connection
    /// going back to the pool is not reset: the reset would be one more statement to run for every batch.</para>
    /// <para>A generic plan lives as long as its connection, or until an <c>ANALYZE</c> of a table it reads
    /// invalidates it; it is not made again as the tables grow. One made while <c>grain_state</c> is new
    /// (never analyzed, nearly empty, as in a fresh deployment or after a restore) chose to scan the whole
    /// table and hash it, and kept doing so on every batch once the table held millions of rows, until
    /// autovacuum first analyzed it. The statements of these connections only ever reach rows by key, so
    /// the connections that reuse plans run with <c>enable_seqscan=off</c>, which makes the
    /// planner take the indexes whatever it believes of the table's size.</para>
    /// </remarks>
    private static NpgsqlDataSource BuildDataSource(PostgreSqlStorageOptions options, bool reusePlans)
    {
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        var settings = builder.ConnectionStringBuilder;
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 16;
            settings.AutoPrepareMinUsages = 2;
        }

        var option = reusePlans ? "-c plan_cache_mode=auto -c enable_seqscan=off" : "-c plan_cache_mode=force_custom_plan";
        if (options.IdleInTransactionTimeout > TimeSpan.Zero)
        {
            option += string.Create(CultureInfo.InvariantCulture, $" -c idle_in_transaction_session_timeout={(long)Math.Ceiling(options.IdleInTransactionTimeout.TotalMilliseconds)}");
        }
        settings.Options = string.IsNullOrWhiteSpace(settings.Options) ? option : settings.Options + " " + option;
        settings.NoResetOnClose = true;
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = "OrleansVoucher.Silo";
        }

        return builder.Build();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, object? parameter, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            if (parameter is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, object? parameter, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            if (parameter is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            }

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return reader.GetFieldValue<T>(0);
            }
        }
    }
}
