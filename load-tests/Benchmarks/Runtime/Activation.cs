namespace OrleansVoucher.LoadTests.Benchmarks.Runtime;

/// <summary>Activates many grains by calling each once, a bounded number of calls at a time.</summary>
internal static class Activation
{
    private const int CallsInFlight = 4096;

    /// <summary>Runs <paramref name="call"/> for every index in [0, count), at most <see cref="CallsInFlight"/> at once.</summary>
    public static async Task CallAllAsync(int count, Func<int, Task> call, CancellationToken cancellationToken)
    {
        var inFlight = new List<Task>(CallsInFlight);
        for (var i = 0; i < count; i++)
        {
            inFlight.Add(call(i));
            if (inFlight.Count == CallsInFlight)
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
                inFlight.Clear();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }
}
