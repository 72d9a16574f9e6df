using System.Collections.Concurrent;
using System.Globalization;
using OrleansVoucher.Silo.Storage.Sqlite;
using OrleansVoucher.Tests.Runtime.Stores;
using OrleansVoucher.Tests.Storage;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// A write that a grain call acknowledged is durable: a silo process killed with SIGKILL while many writes
/// are in flight loses none of the acknowledged ones, and invents nothing that was not asked for.
/// </summary>
public abstract class KillNineDurabilityTests : StoreTests
{
    private const int Keys = 8;
    private const int Crashes = 2;
    private const int IncrementsPerBurst = 10;
    private const int KillAfterAcks = 500;

    /// <summary>Increments sent and not yet acknowledged, at most: enough to keep every grain's queue full.</summary>
    private const int Window = 100 * Keys;

    /// <summary>What a SIGKILLed process exits with: 128 + 9.</summary>
    private const int KilledBySigkill = 137;

    [Fact]
    public async Task Every_acknowledged_increment_survives_kill_9_of_its_silo()
    {
        var arguments = HostArguments();
        var sent = new int[Keys];
        var acknowledged = new long[Keys];

        // Each run first checks what the previous crash left, then writes until it is killed mid-flight.
        var killedMidFlight = 0;
        for (var crash = 0; crash < Crashes; crash++)
        {
            if (await RunUntilKilledAsync(arguments, sent, acknowledged))
            {
                killedMidFlight++;
            }
        }

        Assert.True(killedMidFlight > 0, $"None of the {Crashes} kills caught a write in flight.");
        await using var last = await Run.StartAsync(arguments);
        await last.CheckStoredAsync(sent, acknowledged);

        // The store took the crashes in stride: the grains write on from where they were.
        var before = last.Stored[0];
        await last.Process.SendAsync(["inc key-0"]);
        await last.FirstAck.WaitAsync(TestSilo.Hang);
        Assert.Equal(before + 1, last.Acks["key-0"].Single());
        Assert.Equal(0, await last.Process.QuitAsync());
        Assert.Empty(last.Failures);
    }

    /// <summary>
    /// Starts a silo, checks the stored values, then keeps a window of increments in flight and kills the
    /// silo (SIGKILL) the moment it has acknowledged <see cref="KillAfterAcks"/>. Returns whether writes
    /// were still unacknowledged when it died.
    /// </summary>
    private static async Task<bool> RunUntilKilledAsync(string[] arguments, int[] sent, long[] acknowledged)
    {
        using var credits = new SemaphoreSlim(Window);
        using var stopSending = new CancellationTokenSource();
        var sentNow = 0;
        var run = await Run.StartAsync(arguments, onAck: count =>
        {
            credits.Release();
            return count == KillAfterAcks;
        });
        await using (run)
        {
            await run.CheckStoredAsync(sent, acknowledged);
            var startedFrom = run.Stored.ToArray();

            // The keys take turns, so every grain has a write in progress and more queued when it dies.
            var sender = Task.Run(async () =>
            {
                var burst = Enumerable.Range(0, IncrementsPerBurst).SelectMany(_ => Enumerable.Range(0, Keys).Select(k => $"inc key-{k}")).ToArray();
                while (true)
                {
                    for (var i = 0; i < burst.Length; i++)
                    {
                        await credits.WaitAsync(stopSending.Token);
                    }

                    // Counted before they go out: a burst cut short by the kill may still be partly read.
                    for (var k = 0; k < Keys; k++)
                    {
                        sent[k] += IncrementsPerBurst;
                    }

                    Interlocked.Add(ref sentNow, burst.Length);
                    await run.Process.SendAsync(burst);
                }
            });

            Assert.Equal(KilledBySigkill, await run.Process.WaitForExitAsync());
            await stopSending.CancelAsync();
            await run.Process.Answers.WaitAsync(TestSilo.Hang);
            try
            {
                await sender.WaitAsync(TestSilo.Hang);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting for acknowledgements.
            }
            catch (IOException)
            {
                // The burst being written when the silo died met a closed pipe.
            }

            Assert.Empty(run.Failures);
            for (var k = 0; k < Keys; k++)
            {
                var values = run.Acks.TryGetValue($"key-{k}", out var acks) ? acks.ToArray() : [];
                Assert.Equal(values.Length, values.Distinct().Count());
                Assert.All(values, value => Assert.True(value > startedFrom[k], $"key-{k} acknowledged {value}, not above the {startedFrom[k]} it started from."));
                acknowledged[k] = Math.Max(acknowledged[k], values.DefaultIfEmpty(0).Max());
            }

            // Every acknowledgement the silo wrote before it died has been read: the rest were in flight.
            return run.AckTotal < Volatile.Read(ref sentNow);
        }
    }

    /// <summary>One silo process and what it answered.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly TaskCompletionSource _valuesRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Func<int, bool>? _onAck;
        private readonly TaskCompletionSource _firstAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _acks;
        private int _values;

        private Run(Func<int, bool>? onAck) => _onAck = onAck;

        public SiloProcess Process { get; private set; } = null!;

        public long[] Stored { get; } = new long[Keys];

        public ConcurrentDictionary<string, ConcurrentBag<long>> Acks { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public int AckTotal => Volatile.Read(ref _acks);

        /// <summary>Completes at the first acknowledgement.</summary>
        public Task FirstAck => _firstAck.Task;

        /// <summary>Starts a silo host; <paramref name="onAck"/> sees the running count of acknowledgements and returns true to kill it there and then.</summary>
        public static async Task<Run> StartAsync(string[] arguments, Func<int, bool>? onAck = null)
        {
            var run = new Run(onAck);
            run.Process = await SiloProcess.StartAsync(arguments, run.OnLine);
            return run;
        }

        /// <summary>Reads every key and checks it holds at least its last acknowledged value and no more than was sent.</summary>
        public async Task CheckStoredAsync(int[] sent, long[] acknowledged)
        {
            await Process.SendAsync(Enumerable.Range(0, Keys).Select(k => $"get key-{k}"));
            await _valuesRead.Task.WaitAsync(TestSilo.Hang);
            for (var k = 0; k < Keys; k++)
            {
                Assert.InRange(Stored[k], acknowledged[k], sent[k]);
            }
        }

        public ValueTask DisposeAsync() => Process.DisposeAsync();

        private void OnLine(string line)
        {
            if (Parse(line, "value") is (var key, var value))
            {
                Stored[int.Parse(key["key-".Length..], CultureInfo.InvariantCulture)] = value;
                if (Interlocked.Increment(ref _values) == Keys)
                {
                    _valuesRead.TrySetResult();
                }
            }
            else if (Parse(line, "ack") is (var ackedKey, var acked))
            {
                Acks.GetOrAdd(ackedKey, _ => []).Add(acked);
                var count = Interlocked.Increment(ref _acks);
                _firstAck.TrySetResult();
                if (_onAck?.Invoke(count) == true)
                {
                    // Killed on the spot, with the writes the window keeps in flight.
                    Process.Kill();
                }
            }
            else if (line != "stopped")
            {
                Failures.Enqueue(line);
            }
        }
    }

    private string[] HostArguments() => Store switch
    {
        SqliteTestStore sqlite => ["sqlite", sqlite.DatabasePath],
        PostgresTestStore postgres => ["postgresql", postgres.ConnectionString],
        _ => throw new InvalidOperationException($"The silo host cannot open a {Store.Name} store."),
    };

    private static (string Key, long Value)? Parse(string line, string answer)
    {
        var parts = line.Split(' ');
        return parts.Length == 3 && parts[0] == answer && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? (parts[1], value)
            : null;
    }
}

public sealed class SqliteKillNineDurabilityTests : KillNineDurabilityTests
{
    // The silo host runs with the product's default durability; this only names the file.
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult<TestStore>(new SqliteTestStore(SqliteSynchronousMode.Full));
}

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlKillNineDurabilityTests(PostgresFixture fixture) : KillNineDurabilityTests
{
    protected override async Task<TestStore> CreateStoreAsync() => await PostgresTestStore.ForClassAsync(fixture, GetType());
}
