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
    private const int IncrementsPerKey = 400;
    private const int KillAfterAcks = 600;

    /// <summary>What a SIGKILLed process exits with: 128 + 9.</summary>
    private const int KilledBySigkill = 137;

    [Fact]
    public async Task Every_acknowledged_increment_survives_kill_9_of_its_silo()
    {
        var arguments = HostArguments();
        var acks = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var failures = new ConcurrentQueue<string>();
        var ackCount = 0;
        var enoughAcks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int acknowledgedBeforeKill;

        await using (var silo = await SiloProcess.StartAsync(arguments, line =>
        {
            if (Parse(line, "ack") is (var key, var value))
            {
                acks.GetOrAdd(key, _ => []).Add(value);
                if (Interlocked.Increment(ref ackCount) == KillAfterAcks)
                {
                    enoughAcks.TrySetResult();
                }
            }
            else
            {
                failures.Enqueue(line);
            }
        }))
        {
            // The keys take turns, so every grain has writes queued when the silo dies.
            await silo.SendAsync(Enumerable.Range(0, IncrementsPerKey).SelectMany(_ => Enumerable.Range(0, Keys).Select(k => $"inc key-{k}")));
            await enoughAcks.Task.WaitAsync(TestSilo.Hang);
            silo.Kill();
            acknowledgedBeforeKill = Volatile.Read(ref ackCount);

            Assert.Equal(KilledBySigkill, await silo.WaitForExitAsync());
            await silo.Answers.WaitAsync(TestSilo.Hang);
            Assert.Empty(failures);
        }

        // Killed mid-flight: some writes were still to be acknowledged.
        Assert.True(acknowledgedBeforeKill < Keys * IncrementsPerKey, $"All {acknowledgedBeforeKill} writes were acknowledged before the kill.");

        var stored = new ConcurrentDictionary<string, long>();
        var allRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var incremented = new TaskCompletionSource<(string, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var restarted = await SiloProcess.StartAsync(arguments, line =>
        {
            if (Parse(line, "value") is (var key, var value))
            {
                stored[key] = value;
                if (stored.Count == Keys)
                {
                    allRead.TrySetResult();
                }
            }
            else if (Parse(line, "ack") is { } ack)
            {
                incremented.TrySetResult(ack);
            }
            else if (line != "stopped")
            {
                failures.Enqueue(line);
            }
        });
        await restarted.SendAsync(Enumerable.Range(0, Keys).Select(k => $"get key-{k}"));
        await allRead.Task.WaitAsync(TestSilo.Hang);

        for (var k = 0; k < Keys; k++)
        {
            var key = $"key-{k}";
            var acknowledged = acks.TryGetValue(key, out var values) ? values.ToArray() : [];
            Assert.Equal(acknowledged.Length, acknowledged.Distinct().Count());
            Assert.InRange(stored[key], acknowledged.DefaultIfEmpty(0).Max(), IncrementsPerKey);
        }

        // The store took the crash in stride: the grains write on from where they were.
        await restarted.SendAsync(["inc key-0"]);
        Assert.Equal(("key-0", stored["key-0"] + 1), await incremented.Task.WaitAsync(TestSilo.Hang));
        Assert.Equal(0, await restarted.QuitAsync());
        Assert.Empty(failures);
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
