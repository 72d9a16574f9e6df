namespace OrleansVoucher.Tests.Runtime.Grains;

/// <summary>Detects overlapping turns: counts how many calls are inside the grain at once.</summary>
public interface ITurnProbeGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds one to the grain's call count with a read and a write split by suspensions when
    /// <paramref name="suspend"/> is set, so interleaved calls would lose updates; returns the new count.
    /// </summary>
    Task<int> EnterAsync(bool suspend);

    Task<TurnStats> GetStatsAsync();
}

public sealed record TurnStats(int Calls, int MaxConcurrency);

public sealed class TurnProbeGrain : Grain, ITurnProbeGrain
{
    private int _inside;
    private int _maxInside;
    private int _calls;

    public async Task<int> EnterAsync(bool suspend)
    {
        var inside = Interlocked.Increment(ref _inside);
        RecordMax(inside);
        try
        {
            if (suspend)
            {
                await Task.Yield();
            }

            var calls = _calls;
            if (suspend)
            {
                await Task.Yield();
            }

            _calls = calls + 1;
            return _calls;
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }

    public Task<TurnStats> GetStatsAsync() => Task.FromResult(new TurnStats(_calls, Volatile.Read(ref _maxInside)));

    private void RecordMax(int inside)
    {
        var max = Volatile.Read(ref _maxInside);
        while (inside > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxInside, inside, max);
            if (seen == max)
            {
                return;
            }

            max = seen;
        }
    }
}
