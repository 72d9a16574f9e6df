using OrleansVoucher.Silo.Transactions;

namespace OrleansVoucher.Tests.Storage;

/// <summary>
/// Transaction identifiers: a participant matches an outcome to its pending draft by identifier, so two
/// transactions of one process must never share one, however many start at once.
/// </summary>
public sealed class TransactionIdTests
{
    [Fact]
    public async Task Identifiers_started_at_once_on_many_threads_are_all_different()
    {
        const int Threads = 8;
        const int Each = 20_000;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            var ids = new string[Each];
            for (var i = 0; i < Each; i++)
            {
                ids[i] = TransactionId.New().Value;
            }

            return ids;
        })).Append(Task.Run(() =>
        {
            start.SetResult();
            return Array.Empty<string>();
        })));

        var all = batches.SelectMany(ids => ids).ToList();
        Assert.Equal(Threads * Each, all.Count);
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void An_identifier_is_32_hexadecimal_digits_and_equals_only_itself()
    {
        var first = TransactionId.New();
        var second = TransactionId.New();

        Assert.Matches("^[0-9a-f]{32}$", first.Value);
        Assert.Equal(first, new TransactionId(first.Value));
        Assert.NotEqual(first, second);
        Assert.Equal(first.Value, first.ToString());
    }
}
