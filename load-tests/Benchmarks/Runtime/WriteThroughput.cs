using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansVoucher.LoadTests.Hosting;
using OrleansVoucher.LoadTests.Reporting;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Silo.Storage;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Silo.Storage.PostgreSql;

namespace OrleansVoucher.LoadTests.Benchmarks.Runtime;

/// <summary>One timed phase of durable writes.</summary>
/// <param name="Writes">Writes completed (each durable before its call returned).</param>
/// <param name="Elapsed">Wall time of the phase.</param>
/// <param name="Transactions">Storage transactions the store reported, or null when it reports none.</param>
/// <param name="AllocatedBytes">Bytes this process allocated during the phase.</param>
/// <param name="ProcessorTime">CPU time this process (not the database server) used during the phase.</param>
/// <param name="ServerProcessorTime">CPU time the database server used during the phase, when it can be read.</param>
internal sealed record WritePhase(long Writes, TimeSpan Elapsed, long? Transactions, long AllocatedBytes, TimeSpan ProcessorTime, TimeSpan? ServerProcessorTime)
{
    public double WritesPerSecond => Writes / Elapsed.TotalSeconds;
}

/// <summary>The phases of one store, taken together.</summary>
/// <param name="Store">Which store wrote.</param>
/// <param name="Writers">Concurrent grains writing.</param>
/// <param name="Phases">The timed phases, in the order they ran.</param>
internal sealed record WriteRun(string Store, int Writers, IReadOnlyList<WritePhase> Phases)
{
    public long Writes => Phases.Sum(p => p.Writes);

    public TimeSpan Elapsed => TimeSpan.FromTicks(Phases.Sum(p => p.Elapsed.Ticks));

    public double WritesPerSecond => Writes / Elapsed.TotalSeconds;

    public double? WritesPerTransaction => Phases.All(p => p.Transactions is not null) && Phases.Sum(p => p.Transactions!.Value) is > 0 and var count
        ? (double)Writes / count
        : null;

    public double BytesPerWrite => Writes == 0 ? 0 : (double)Phases.Sum(p => p.AllocatedBytes) / Writes;

    public double ProcessorMicrosecondsPerWrite => Writes == 0 ? 0 : Phases.Sum(p => p.ProcessorTime.TotalMicroseconds) / Writes;

    public double? ServerProcessorMicrosecondsPerWrite => Writes > 0 && Phases.All(p => p.ServerProcessorTime is not null)
        ? Phases.Sum(p => p.ServerProcessorTime!.Value.TotalMicroseconds) / Writes
        : null;

    /// <summary>Silo and database CPU per write, when the database's can be read.</summary>
    public double? TotalProcessorMicrosecondsPerWrite => ProcessorMicrosecondsPerWrite + ServerProcessorMicrosecondsPerWrite;
}

/// <summary>
/// Durable writes per second through the silo: W grains, each driven by its own caller loop that calls
/// it again as soon as the previous call returned; each call changes the grain's state and awaits
/// <c>WriteStateAsync</c>. Two silos run side by side, one on the PostgreSQL store (group commit) and
/// one on <see cref="OneTransactionPerWriteStorage"/>, each in its own fresh schema of the same
/// database; they take turns in the order group, single, single, group, so that load from elsewhere on
/// the machine that rises or falls during the run weighs on both alike.
/// </summary>
internal static class WriteThroughput
{
    public const string GroupCommit = "group commit";
    public const string OneTransactionPerWrite = "one transaction per write";

    /// <param name="connectionString">The database.</param>
    /// <param name="writers">Concurrent grains writing.</param>
    /// <param name="duration">The timed length of each store's run.</param>
    /// <param name="server">Reads the database server's CPU time, when it runs on this machine; else null.</param>
    /// <param name="cancellationToken">Stops the phases early.</param>
    public static async Task<(WriteRun GroupCommit, WriteRun SingleCommit)> MeasureAsync(string connectionString, int writers, TimeSpan duration, ServerProcessorTime? server, CancellationToken cancellationToken)
    {
        using var batches = new BatchCounter();
        var group = await WriterSilo.StartAsync(GroupCommit, connectionString, writers, batches, server, cancellationToken).ConfigureAwait(false);
        await using (group.ConfigureAwait(false))
        {
            var single = await WriterSilo.StartAsync(OneTransactionPerWrite, connectionString, writers, batches: null, server, cancellationToken).ConfigureAwait(false);
            await using (single.ConfigureAwait(false))
            {
                // Warm up both long enough for tiered compilation to reach optimized code on the whole
                // write path (storage, Npgsql, runtime); a shorter warm-up made the first timed phase slower.
                var warmUp = TimeSpan.FromSeconds(Math.Min(2, duration.TotalSeconds));
                await group.RunAsync(warmUp, cancellationToken).ConfigureAwait(false);
                await single.RunAsync(warmUp, cancellationToken).ConfigureAwait(false);

                var half = duration / 2;
                var groupPhases = new List<WritePhase>();
                var singlePhases = new List<WritePhase>();
                groupPhases.Add(await group.RunAsync(half, cancellationToken).ConfigureAwait(false));
                singlePhases.Add(await single.RunAsync(half, cancellationToken).ConfigureAwait(false));
                singlePhases.Add(await single.RunAsync(half, cancellationToken).ConfigureAwait(false));
                groupPhases.Add(await group.RunAsync(half, cancellationToken).ConfigureAwait(false));

                await group.VerifyAsync(cancellationToken).ConfigureAwait(false);
                await single.VerifyAsync(cancellationToken).ConfigureAwait(false);
                var result = (new WriteRun(GroupCommit, writers, groupPhases), new WriteRun(OneTransactionPerWrite, writers, singlePhases));
                foreach (var run in new[] { result.Item1, result.Item2 })
                {
                    Progress.Note($"writes: {run.Store}: {run.WritesPerSecond:N0}/s over {writers} grains ({string.Join(" / ", run.Phases.Select(p => $"{p.WritesPerSecond:N0}"))})"
                        + (run.WritesPerTransaction is { } perTransaction ? $", {perTransaction:0.0} writes per transaction" : string.Empty));
                }

                return result;
            }
        }
    }

    /// <summary>The server's version and the settings that decide what a commit costs.</summary>
    public static async Task<string> DescribeServerAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_sync_method')", connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return $"PostgreSQL {reader.GetString(0)}, fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, wal_sync_method={reader.GetString(3)}";
                }
            }
        }
    }

    /// <summary>A silo with W writer grains on one store, in a schema of its own.</summary>
    private sealed class WriterSilo : IAsyncDisposable
    {
        private readonly BenchSilo _silo;
        private readonly IWriterGrain[] _grains;
        private readonly string _connectionString;
        private readonly string _schema;
        private readonly string _store;
        private readonly BatchCounter? _batches;
        private readonly ServerProcessorTime? _server;
        private long _writes;

        private WriterSilo(BenchSilo silo, IWriterGrain[] grains, string connectionString, string schema, string store, BatchCounter? batches, ServerProcessorTime? server)
        {
            _server = server;
            _silo = silo;
            _grains = grains;
            _connectionString = connectionString;
            _schema = schema;
            _store = store;
            _batches = batches;
        }

        public static async Task<WriterSilo> StartAsync(string store, string connectionString, int writers, BatchCounter? batches, ServerProcessorTime? server, CancellationToken cancellationToken)
        {
            var schema = store == GroupCommit ? "bench_group_commit" : "bench_single_commit";
            await BenchDatabase.ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE", cancellationToken).ConfigureAwait(false);
            var silo = await BenchSilo.StartAsync(
                s =>
                {
                    s.AddGrain<WriterGrain>();
                    if (store == GroupCommit)
                    {
                        // The product's own registration; the silo initializes the schema as it starts.
                        s.UsePostgreSqlStorage(o =>
                        {
                            o.ConnectionString = connectionString;
                            o.Schema = schema;
                        });
                    }
                    else
                    {
                        var options = new PostgreSqlStorageOptions { ConnectionString = connectionString, Schema = schema };
                        s.Services.AddKeyedSingleton<IGrainStorage>(PersistentStateAttribute.DefaultStorageName, (_, _) => new OneTransactionPerWriteStorage(options));
                    }
                },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (store != GroupCommit)
            {
                var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
                await storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
            }

            var grains = new IWriterGrain[writers];
            for (var i = 0; i < grains.Length; i++)
            {
                grains[i] = silo.Grains.GetGrain<IWriterGrain>($"writer-{i}");
            }

            // Activate each grain and insert its row.
            await Task.WhenAll(grains.Select(g => g.IncrementAsync())).ConfigureAwait(false);
            var writerSilo = new WriterSilo(silo, grains, connectionString, schema, store, batches, server);
            writerSilo._writes = writers;
            return writerSilo;
        }

        public async Task<WritePhase> RunAsync(TimeSpan duration, CancellationToken cancellationToken)
        {
            _batches?.Reset();
            using var process = Process.GetCurrentProcess();
            var processorBefore = process.TotalProcessorTime;
            var serverBefore = _server?.Read();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var started = Stopwatch.GetTimestamp();
            var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var counts = await Task.WhenAll(_grains.Select(g => WriteLoopAsync(g, deadline, cancellationToken))).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            process.Refresh();
            var serverProcessor = _server?.Read() - serverBefore;
            var writes = counts.Sum();
            _writes += writes;
            return new WritePhase(writes, elapsed, _batches?.Count, allocated, process.TotalProcessorTime - processorBefore, serverProcessor);
        }

        /// <summary>Checks that every counted write is in the database: each grain's row version counts its writes.</summary>
        public async Task VerifyAsync(CancellationToken cancellationToken)
        {
            var connection = new NpgsqlConnection(_connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var command = new NpgsqlCommand($"SELECT coalesce(sum(version), 0)::bigint FROM {_schema}.grain_state", connection);
                await using (command.ConfigureAwait(false))
                {
                    var stored = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                    if (stored != _writes)
                    {
                        throw new InvalidOperationException($"The caller loops counted {_writes:N0} writes but the {_store} store holds {stored:N0}.");
                    }
                }
            }
        }

        public ValueTask DisposeAsync() => _silo.DisposeAsync();

        private static async Task<long> WriteLoopAsync(IWriterGrain grain, long deadline, CancellationToken cancellationToken)
        {
            // Leave the starting thread, so that all loops start at once.
            await Task.Yield();
            long writes = 0;
            while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
            {
                await grain.IncrementAsync().ConfigureAwait(false);
                writes++;
            }

            return writes;
        }
    }

    /// <summary>Counts the storage transactions the silo's metrics report (one batch-size record per transaction).</summary>
    private sealed class BatchCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public BatchCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SiloMetrics.MeterName && instrument.Name == "orleansvoucher.silo.storage.batch.size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref _count));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public void Dispose() => _listener.Dispose();
    }
}
