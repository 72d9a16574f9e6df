using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>
/// Runs a group-commit batch against PostgreSQL. A batch of single-state units is one statement in
/// one round trip, committed as the implicit transaction of that round trip. A batch holding a unit
/// that writes several states runs in an explicit transaction, so that a unit found half written can
/// be undone by rolling back and retrying the batch without it. States expected to be new are first
/// inserted optimistically (see <see cref="PostgreSqlCommands.Write"/>); the batch runs again carefully
/// when one of them already exists.
/// </summary>
internal sealed partial class PostgreSqlBatchWriter : IWriteBatchExecutor
{
    /// <summary>
    /// The expiries of a batch in which no state expires (nearly every batch). <c>unnest</c> pads a
    /// shorter array with nulls, so an empty array stores NULL for every row, and such a batch pays
    /// nothing per write for the column.
    /// </summary>
    private static readonly DateTime?[] s_noExpiries = [];

    /// <summary>Connections whose statements reuse a generic plan: for batches of ordinary traffic.</summary>
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connections that plan every statement for its arrays: for large batches and careful runs (see <see cref="DataSourceFor"/>).</summary>
    private readonly NpgsqlDataSource _customPlanDataSource;
    private readonly PostgreSqlCommands _commands;
    private readonly int _maxTransientRetries;
    private readonly bool _optimisticInserts;
    private readonly ILogger _logger;

    public PostgreSqlBatchWriter(NpgsqlDataSource dataSource, NpgsqlDataSource customPlanDataSource, PostgreSqlCommands commands, int maxTransientRetries, bool optimisticInserts, ILogger logger)
    {
        _optimisticInserts = optimisticInserts;
        _dataSource = dataSource;
        _customPlanDataSource = customPlanDataSource;
        _commands = commands;
        _maxTransientRetries = maxTransientRetries;
        _logger = logger;
    }

    /// <summary>
    /// The most rows (state writes and events) of a batch whose statement may run on a generic plan. In
    /// such a plan (costed for arrays of ten elements) a join can take time in the product of two of the
    /// batch's row counts: a nested loop over a CTE. In the optimistic form those loops run over the rows
    /// of conflicting units only, so they cost nothing in ordinary batches (a hundred or two rows), but a
    /// batch in which every unit conflicts pays them in full: at 1,024 rows that took 425 ms on the
    /// generic plan against 85 ms on its own, at this many about a quarter of that. Larger batches, as bulk
    /// issuance writes, are planned for their arrays, as every batch was before.
    /// </summary>
    internal const int GenericPlanMaxRows = 512;

    /// <summary>
    /// The connections a batch runs on: see <see cref="GenericPlanMaxRows"/>. The careful form is always
    /// planned for its arrays: its generic plan matches every insert against every inserted row (1,024
    /// inserts took 190 ms that way, 21 ms on their own plan), and it runs rarely, after an optimistic
    /// run met an existing state, or when optimistic inserts are turned off.
    /// </summary>
    internal NpgsqlDataSource DataSourceFor(WriteBatch batch, bool optimistic) =>
        optimistic && batch.StateCount + batch.EventCount <= GenericPlanMaxRows ? _dataSource : _customPlanDataSource;

    /// <inheritdoc />
    public async Task ExecuteAsync(WriteBatch batch)
    {
        var optimistic = _optimisticInserts;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (batch.HasMultiStateUnits)
                {
                    await ExecuteGuardedAsync(batch, optimistic).ConfigureAwait(false);
                }
                else
                {
                    await ExecuteSingleAsync(batch, optimistic).ConfigureAwait(false);
                }

                return;
            }
            catch (PostgresException exception) when (optimistic && IsExistingState(exception))
            {
                // A state expected to be new exists: the statement failed as a whole and nothing of it
                // stays. Run the batch again with inserts that turn such a state into a miss.
                foreach (var unit in batch.Units)
                {
                    unit.ResetOutcome();
                }

                optimistic = false;
                attempt--;
                BatchRunCarefully(_logger, batch.Units.Count);
            }
            catch (PostgresException exception) when (IsRetryable(exception) && attempt <= _maxTransientRetries)
            {
                // The server rolled the whole transaction back, so nothing of it happened.
                foreach (var unit in batch.Units)
                {
                    unit.ResetOutcome();
                }

                BatchRetried(_logger, batch.Units.Count, exception.SqlState, attempt);
            }
        }
    }

    private static bool IsExistingState(PostgresException exception) =>
        exception.SqlState == PostgresErrorCodes.UniqueViolation && exception.ConstraintName == "grain_state_pkey";

    private static bool IsRetryable(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;

    private async Task ExecuteSingleAsync(WriteBatch batch, bool optimistic)
    {
        var units = Undecided(batch.Units);
        var connection = await DataSourceFor(batch, optimistic).OpenConnectionAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // No explicit transaction: the statements of one round trip form an implicit one, which
            // has committed once the reader has consumed the server's final response.
            var misses = await WriteAsync(connection, null, units, guarded: false, optimistic).ConfigureAwait(false);
            for (var u = 0; u < units.Count; u++)
            {
                if (misses[u].Count == 0)
                {
                    units[u].MarkWritten();
                }
                else
                {
                    MarkConflict(units[u], misses[u]);
                }
            }
        }
    }

    private async Task ExecuteGuardedAsync(WriteBatch batch, bool optimistic)
    {
        var units = Undecided(batch.Units);
        var dataSource = DataSourceFor(batch, optimistic);
        while (units.Count > 0)
        {
            var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var misses = await WriteAsync(connection, transaction, units, guarded: true, optimistic).ConfigureAwait(false);
                    var halfWritten = 0;
                    for (var u = 0; u < units.Count; u++)
                    {
                        var missed = misses[u].Count;
                        if (missed == 0)
                        {
                            units[u].MarkWritten();
                            continue;
                        }

                        MarkConflict(units[u], misses[u]);
                        if (missed < units[u].Unit.States.Count)
                        {
                            halfWritten++;
                        }
                    }

                    if (halfWritten == 0)
                    {
                        await transaction.CommitAsync().ConfigureAwait(false);
                        return;
                    }

                    // A conflicting unit was partly written: undo everything and go again without
                    // the units that lost (their losses stand: another writer committed first).
                    await transaction.RollbackAsync().ConfigureAwait(false);
                    BatchRolledBack(_logger, units.Count, halfWritten);
                    units = Undecided(units);
                }
            }
        }
    }

    private static List<PendingWrite> Undecided(IReadOnlyList<PendingWrite> units)
    {
        var result = new List<PendingWrite>(units.Count);
        foreach (var unit in units)
        {
            unit.ResetOutcome();
            if (unit.Outcome == WriteOutcome.None)
            {
                result.Add(unit);
            }
        }

        return result;
    }

    private static void MarkConflict(PendingWrite unit, List<(int StateIndex, long? StoredVersion)> misses)
    {
        // Name the unit's first state whose stored version differs from the expected one. A unit
        // rejected as a whole also reports its states that would have passed; those are not named
        // unless nothing else is known.
        var states = unit.Unit.States;
        (int StateIndex, long? StoredVersion)? loser = null;
        foreach (var miss in misses)
        {
            var write = states[miss.StateIndex];
            var lost = (miss.StoredVersion ?? 0) != write.ExpectedVersion;
            if (lost && (loser is null || miss.StateIndex < loser.Value.StateIndex))
            {
                loser = miss;
            }
        }

        if (loser is null)
        {
            // Every miss saw the expected version: a concurrent writer won after the statement began.
            loser = misses[0];
            foreach (var miss in misses)
            {
                if (miss.StateIndex < loser.Value.StateIndex)
                {
                    loser = miss;
                }
            }

            var raced = states[loser.Value.StateIndex];
            unit.MarkConflict(raced.Key, raced.ExpectedVersion, null);
            return;
        }

        var losing = states[loser.Value.StateIndex];
        unit.MarkConflict(losing.Key, losing.ExpectedVersion, loser.Value.StoredVersion ?? 0);
    }

    /// <summary>
    /// Runs the batch statement and returns, per unit, its state writes that were not written with
    /// the version the statement saw.
    /// </summary>
    private async Task<List<(int StateIndex, long? StoredVersion)>[]> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, List<PendingWrite> units, bool guarded, bool optimistic)
    {
        if (!guarded && IsPlainUpdates(units))
        {
            return await WriteUpdatesAsync(connection, units).ConfigureAwait(false);
        }

        // Units flagged for the bulk path have their new states copied first (and their events after).
        var bulk = BulkUnits(units, transaction, optimistic);
        if (bulk is not null)
        {
            await CopyNewStatesAsync(connection, units, bulk).ConfigureAwait(false);
        }

        var (stateCount, eventCount) = StatementRows(units, bulk);

        var rowUnit = new int[stateCount];
        var rowState = new int[stateCount];
        var grainTypes = new string[stateCount];
        var stateNames = new string[stateCount];
        var grainKeys = new string[stateCount];
        var expected = new long[stateCount];
        var payloads = new byte[]?[stateCount];
        var guards = new bool[stateCount];
        DateTime?[]? expiries = null;
        var eventUnit = new int[eventCount];
        var streams = new string[eventCount];
        var streamKeys = new string[eventCount];
        var eventPayloads = new byte[eventCount][];
        var row = 0;
        var ev = 0;
        for (var u = 0; u < units.Count; u++)
        {
            var states = units[u].Unit.States;
            for (var i = 0; i < states.Count; i++)
            {
                var write = states[i];
                if (IsCopied(bulk, u, write))
                {
                    continue;
                }

                rowUnit[row] = u;
                rowState[row] = i;
                grainTypes[row] = write.Key.GrainType;
                stateNames[row] = write.Key.StateName;
                grainKeys[row] = write.Key.GrainKey;
                expected[row] = write.ExpectedVersion;
                payloads[row] = write.Payload;
                guards[row] = states.Count > 1;
                NoteExpiry(ref expiries, stateCount, row, write);
                row++;
            }

            if (bulk?[u] == true)
            {
                continue;
            }

            foreach (var e in units[u].Unit.Events)
            {
                eventUnit[ev] = u;
                streams[ev] = e.Stream;
                streamKeys[ev] = e.Key;
                eventPayloads[ev] = e.Payload;
                ev++;
            }
        }

        var command = new NpgsqlCommand(_commands.Write(guarded, eventCount > 0, optimistic), connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            var parameters = command.Parameters;
            parameters.Add(new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = rowUnit });
            PostgreSqlKeyArrays.Add(parameters, grainTypes, stateNames, grainKeys);
            parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = expected });
            parameters.Add(new NpgsqlParameter<byte[]?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = payloads });
            parameters.Add(new NpgsqlParameter<bool[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean, TypedValue = guards });
            parameters.Add(ExpiryParameter(expiries));
            if (eventCount > 0)
            {
                parameters.Add(new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = eventUnit });
                parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = streams });
                parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = streamKeys });
                parameters.Add(new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = eventPayloads });
                parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = _commands.EventAppendLockKey });
            }

            var misses = new List<(int StateIndex, long? StoredVersion)>[units.Count];
            for (var u = 0; u < misses.Length; u++)
            {
                misses[u] = [];
            }

            var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    var index = checked((int)reader.GetInt64(0)) - 1;
                    if (index < 0)
                    {
                        // The optimistic statement's count of inserted rows.
                        continue;
                    }

                    long? stored = reader.IsDBNull(1) ? null : reader.GetInt64(1);
                    misses[rowUnit[index]].Add((rowState[index], stored));
                }

                // Consume the rest of the response: only then has an implicit transaction committed.
                await reader.NextResultAsync().ConfigureAwait(false);
            }

            if (bulk is not null)
            {
                await CopyEventsAsync(connection, transaction!, units, bulk, misses).ConfigureAwait(false);
            }

            return misses;
        }
    }

    /// <summary>Whether every unit updates one existing state and appends nothing: the commonest batch.</summary>
    private static bool IsPlainUpdates(List<PendingWrite> units)
    {
        foreach (var pending in units)
        {
            var unit = pending.Unit;
            if (unit.States.Count != 1 || unit.Events.Count > 0 || unit.States[0].ExpectedVersion <= 0)
            {
                return false;
            }
        }

        return units.Count > 0;
    }

    /// <summary>
    /// Writes a batch of plain updates with one <c>UPDATE</c> that returns what it wrote (see
    /// <see cref="PostgreSqlCommands.UpdateStates"/>): it is about half the database's work of the
    /// general statement, which also finds the misses and reports their versions. Here the misses are
    /// the rows not returned, and only when there are any are their stored versions read, after the
    /// update committed; a miss is a lost version race whatever version is read.
    /// </summary>
    private async Task<List<(int StateIndex, long? StoredVersion)>[]> WriteUpdatesAsync(NpgsqlConnection connection, List<PendingWrite> units)
    {
        var count = units.Count;
        var grainTypes = new string[count];
        var stateNames = new string[count];
        var grainKeys = new string[count];
        var expected = new long[count];
        var payloads = new byte[]?[count];
        DateTime?[]? expiries = null;
        for (var u = 0; u < count; u++)
        {
            var write = units[u].Unit.States[0];
            grainTypes[u] = write.Key.GrainType;
            stateNames[u] = write.Key.StateName;
            grainKeys[u] = write.Key.GrainKey;
            expected[u] = write.ExpectedVersion;
            payloads[u] = write.Payload;
            NoteExpiry(ref expiries, count, u, write);
        }

        var written = new bool[count];
        var command = new NpgsqlCommand(_commands.UpdateStates, connection);
        await using (command.ConfigureAwait(false))
        {
            PostgreSqlKeyArrays.Add(command.Parameters, grainTypes, stateNames, grainKeys);
            command.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = expected });
            command.Parameters.Add(new NpgsqlParameter<byte[]?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = payloads });
            command.Parameters.Add(ExpiryParameter(expiries));
            var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    written[checked((int)reader.GetInt64(0)) - 1] = true;
                }

                // Consume the rest of the response: only then has the implicit transaction committed.
                await reader.NextResultAsync().ConfigureAwait(false);
            }
        }

        var misses = new List<(int StateIndex, long? StoredVersion)>[count];
        var missedKeys = new List<GrainStateKey>();
        var missedUnits = new List<int>();
        for (var u = 0; u < count; u++)
        {
            misses[u] = [];
            if (!written[u])
            {
                missedKeys.Add(units[u].Unit.States[0].Key);
                missedUnits.Add(u);
            }
        }

        var missed = missedUnits.Count;
        if (missed > 0)
        {
            var read = new NpgsqlCommand(_commands.ReadStates, connection);
            await using (read.ConfigureAwait(false))
            {
                PostgreSqlKeyArrays.Add(read.Parameters, missedKeys);
                var stored = new long?[missed];
                var reader = await read.ExecuteReaderAsync().ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync().ConfigureAwait(false))
                    {
                        stored[checked((int)reader.GetInt64(0)) - 1] = reader.GetInt64(1);
                    }
                }

                for (var i = 0; i < missed; i++)
                {
                    misses[missedUnits[i]].Add((0, stored[i]));
                }
            }
        }

        return misses;
    }

    /// <summary>Sets the expiry of row <paramref name="row"/> of <paramref name="length"/>, making the array at the first write that has one.</summary>
    private static void NoteExpiry(ref DateTime?[]? expiries, int length, int row, StateWrite write)
    {
        if (write.ExpiresAt is { } expiresAt)
        {
            (expiries ??= new DateTime?[length])[row] = expiresAt.UtcDateTime;
        }
    }

    /// <summary>The statement's expiries: <see cref="s_noExpiries"/> when no row has one.</summary>
    private static NpgsqlParameter<DateTime?[]> ExpiryParameter(DateTime?[]? expiries) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = expiries ?? s_noExpiries };
}
