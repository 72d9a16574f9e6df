using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace OrleansVoucher.Api.RateLimiting;

/// <summary>
/// The token buckets of one rate-limit policy, one per caller: made on the caller's first request and
/// dropped once it has been full for <see cref="IdleLimit"/>, when it holds nothing a new bucket would
/// not. Idle buckets are looked for at most once per <see cref="IdleLimit"/>, on the thread pool, when a
/// request finds the time has come — so the cost of keeping buckets grows with the requests, not with
/// the callers. (A timer visiting every bucket ten times a second, as the framework's partitioned
/// limiter does, costs in proportion to the callers seen in the last seconds: in a claim storm, where
/// every request is a worker of its own, that is a hundred thousand buckets.)
/// </summary>
internal sealed class CallerBuckets
{
    /// <summary>How long a bucket stays full before it is dropped.</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, LazyTokenBucketLimiter> _buckets = new(StringComparer.Ordinal);
    private readonly Func<string, LazyTokenBucketLimiter> _create;
    private readonly TimeProvider _time;
    private readonly long _sweepEvery;
    private long _nextSweep;
    private int _sweeping;

    /// <summary>Buckets as configured by <paramref name="settings"/>, on <paramref name="time"/>'s clock.</summary>
    public CallerBuckets(TokenBucketSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _create = _ => new LazyTokenBucketLimiter(settings, time);
        _sweepEvery = (long)(IdleLimit.TotalSeconds * time.TimestampFrequency);
        _nextSweep = time.GetTimestamp() + _sweepEvery;
    }

    /// <summary>How many callers have a bucket.</summary>
    public int Count => _buckets.Count;

    /// <summary>Takes a token from <paramref name="caller"/>'s bucket: a granted lease, or a refusal naming the wait.</summary>
    public RateLimitLease Acquire(string caller)
    {
        SweepIfDue();
        while (true)
        {
            var bucket = _buckets.GetOrAdd(caller, _create);
            if (bucket.TryAcquire(out var lease))
            {
                return lease;
            }

            // Retired by a sweep that has not removed it yet: help, and take the caller's new bucket.
            _buckets.TryRemove(KeyValuePair.Create(caller, bucket));
        }
    }

    /// <summary>Drops every bucket idle for <see cref="IdleLimit"/>; returns how many.</summary>
    public int RemoveIdle()
    {
        var removed = 0;
        foreach (var entry in _buckets)
        {
            if (entry.Value.TryRetire(IdleLimit) && _buckets.TryRemove(entry))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Starts a sweep on the thread pool when one is due and none is running.</summary>
    private void SweepIfDue()
    {
        var now = _time.GetTimestamp();
        if (now < Volatile.Read(ref _nextSweep) || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        Volatile.Write(ref _nextSweep, now + _sweepEvery);
        ThreadPool.UnsafeQueueUserWorkItem(
            static buckets =>
            {
                try
                {
                    buckets.RemoveIdle();
                }
                finally
                {
                    Volatile.Write(ref buckets._sweeping, 0);
                }
            },
            this,
            preferLocal: false);
    }
}
