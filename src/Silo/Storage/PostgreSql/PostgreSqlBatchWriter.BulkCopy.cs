using Npgsql;
using NpgsqlTypes;
using OrleansVoucher.Silo.Storage.GroupCommit;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>
/// The bulk path of units flagged <see cref="WriteUnit.InsertsInBulk"/>: inside the batch's transaction,
/// their states expected at version 0 are written by one binary <c>COPY</c> into <c>grain_state</c>
/// before the batch statement, and their events by one binary <c>COPY</c> into <c>stream_event</c>
/// after it, their rows encoded by <see cref="BinaryCopyRows"/>. A copied row is exactly what the
/// statement's insert would have written (version 1), so readers cannot tell the paths apart.
/// </summary>
/// <remarks>
/// <para>The version check of a copied state is the table's primary key: a state that exists fails
/// the <c>COPY</c> with a unique violation, the transaction is rolled back as a whole, and the batch
/// runs again carefully, where flagged units take the statement like any other and the existing state
/// is an ordinary miss of its unit alone.</para>
/// <para>A flagged unit whose other writes miss in the statement was already partly written by the
/// <c>COPY</c>: the batch counts it as half written, rolls back and goes again without it. Its events
/// are copied only when none of its writes missed.</para>
/// <para>Only batches in an explicit transaction (those holding a unit of several states) copy, and only
/// on their optimistic attempt.</para>
/// </remarks>
internal sealed partial class PostgreSqlBatchWriter
{
    /// <summary>The units of the batch that take the bulk path; null when none does.</summary>
    private static bool[]? BulkUnits(List<PendingWrite> units, NpgsqlTransaction? transaction, bool optimistic)
    {
        if (transaction is null || !optimistic)
        {
            return null;
        }

        bool[]? bulk = null;
        for (var u = 0; u < units.Count; u++)
        {
            var unit = units[u].Unit;
            if (!unit.InsertsInBulk)
            {
                continue;
            }

            foreach (var write in unit.States)
            {
                if (write.ExpectedVersion == 0)
                {
                    // A unit with a copied state is half written whenever the statement misses one of
                    // its other writes, which is what makes the batch roll back.
                    (bulk ??= new bool[units.Count])[u] = true;
                    break;
                }
            }
        }

        return bulk;
    }

    /// <summary>Whether a state write of unit <paramref name="unit"/> is copied rather than written by the statement.</summary>
    private static bool IsCopied(bool[]? bulk, int unit, StateWrite write) =>
        bulk is not null && bulk[unit] && write.ExpectedVersion == 0;

    /// <summary>The state writes and events the batch statement carries.</summary>
    private static (int States, int Events) StatementRows(List<PendingWrite> units, bool[]? bulk)
    {
        var states = 0;
        var events = 0;
        for (var u = 0; u < units.Count; u++)
        {
            foreach (var write in units[u].Unit.States)
            {
                if (!IsCopied(bulk, u, write))
                {
                    states++;
                }
            }

            if (bulk?[u] != true)
            {
                events += units[u].Unit.Events.Count;
            }
        }

        return (states, events);
    }

    private async Task CopyNewStatesAsync(NpgsqlConnection connection, List<PendingWrite> units, bool[] bulk)
    {
        var modifiedAt = DateTime.UtcNow;
        var rows = await BinaryCopyRows.BeginAsync(
            connection,
            $"COPY {_commands.Schema}.grain_state (grain_type, state_name, grain_key, version, payload, modified_at, expires_at) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false);
        await using (rows.ConfigureAwait(false))
        {
            for (var u = 0; u < units.Count; u++)
            {
                if (!bulk[u])
                {
                    continue;
                }

                var states = units[u].Unit.States;
                for (var i = 0; i < states.Count; i++)
                {
                    var write = states[i];
                    if (write.ExpectedVersion != 0)
                    {
                        continue;
                    }

                    rows.StartRow(7);
                    rows.WriteText(write.Key.GrainType);
                    rows.WriteText(write.Key.StateName);
                    rows.WriteText(write.Key.GrainKey);
                    rows.WriteBigint(1);
                    rows.WriteBytea(write.Payload);
                    rows.WriteTimestampTz(modifiedAt);
                    if (write.ExpiresAt is { } expiresAt)
                    {
                        rows.WriteTimestampTz(expiresAt.UtcDateTime);
                    }
                    else
                    {
                        rows.WriteNull();
                    }

                    await rows.FlushIfFullAsync().ConfigureAwait(false);
                }
            }

            // A state that exists fails here with a unique violation on grain_state_pkey.
            await rows.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Appends the events of the flagged units none of whose writes missed, in batch order, under the
    /// event append lock (held until the transaction ends, as for the statement's appends).
    /// </summary>
    private async Task CopyEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<PendingWrite> units, bool[] bulk, List<(int StateIndex, long? StoredVersion)>[] misses)
    {
        var any = false;
        for (var u = 0; u < units.Count && !any; u++)
        {
            any = bulk[u] && misses[u].Count == 0 && units[u].Unit.Events.Count > 0;
        }

        if (!any)
        {
            return;
        }

        DateTime committedAt;
        var command = new NpgsqlCommand("SELECT now() FROM (SELECT pg_advisory_xact_lock($1)) AS serialized", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = _commands.EventAppendLockKey });
            committedAt = (DateTime)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        }

        var rows = await BinaryCopyRows.BeginAsync(
            connection,
            $"COPY {_commands.Schema}.stream_event (stream, stream_key, payload, committed_at) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false);
        await using (rows.ConfigureAwait(false))
        {
            for (var u = 0; u < units.Count; u++)
            {
                if (!bulk[u] || misses[u].Count > 0)
                {
                    continue;
                }

                var events = units[u].Unit.Events;
                for (var i = 0; i < events.Count; i++)
                {
                    var e = events[i];
                    rows.StartRow(4);
                    rows.WriteText(e.Stream);
                    rows.WriteText(e.Key);
                    rows.WriteBytea(e.Payload);
                    rows.WriteTimestampTz(committedAt);
                    await rows.FlushIfFullAsync().ConfigureAwait(false);
                }
            }

            await rows.CompleteAsync().ConfigureAwait(false);
        }
    }
}
