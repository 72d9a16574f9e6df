using System.Numerics;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// A log-linear latency histogram in microseconds with three significant digits: every recorded value
/// is reported within 1/1024 (under 0.1 %) of what was recorded, from 1 µs up to
/// <see cref="HighestTrackableMicroseconds"/> (about 71 minutes; larger values count as that).
/// </summary>
/// <remarks>
/// <para>
/// Layout: values below 2048 µs have a bucket each (1 µs resolution). Above that, every power of two
/// <c>[1024·2^m, 2048·2^m)</c> is split into 1024 buckets of width <c>2^m</c>, so a bucket's width is
/// never more than 1/1024 of its lowest value. The bucket of a value is
/// <c>(m &lt;&lt; 10) + (value &gt;&gt; m)</c>, where <c>m</c> is how many bits the value has beyond 11 —
/// one shift and one add, no logarithm, no search.
/// </para>
/// <para>
/// Recording is lock-free and safe from any number of threads (interlocked adds on the bucket, count
/// and sum; compare-and-swap for min and max). Reading (percentiles, merging into another histogram)
/// expects no concurrent recording; the runner reads a histogram only after it has swapped it out.
/// </para>
/// </remarks>
public sealed class LatencyHistogram
{
    /// <summary>The largest value kept exactly (to three digits): 2^32 − 1 µs, about 71.6 minutes.</summary>
    public const long HighestTrackableMicroseconds = (1L << 32) - 1;

    private const int SubBucketBits = 10;
    private const int SubBucketHalf = 1 << SubBucketBits;          // 1024 buckets per power of two
    private const int LinearLimit = SubBucketHalf << 1;             // 2048: below this, 1 µs per bucket
    private const int MaxMagnitude = 32 - (SubBucketBits + 1);      // 21: values up to 2^32
    private const int BucketCount = (MaxMagnitude << SubBucketBits) + LinearLimit;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;

    /// <summary>How many values were recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The smallest recorded value in µs, exact; 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    /// <summary>The largest recorded value in µs, exact (up to <see cref="HighestTrackableMicroseconds"/>); 0 when empty.</summary>
    public long Max => Volatile.Read(ref _max);

    /// <summary>The mean in µs, exact; 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Records one value in microseconds; negative values count as 0. Thread-safe and lock-free.</summary>
    public void Record(long microseconds)
    {
        var value = Math.Clamp(microseconds, 0, HighestTrackableMicroseconds);
        Interlocked.Increment(ref _counts[BucketOf(value)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, value);

        var min = Volatile.Read(ref _min);
        while (value < min)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, min);
            if (seen == min)
            {
                break;
            }

            min = seen;
        }

        var max = Volatile.Read(ref _max);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>Records a duration, rounded down to whole microseconds.</summary>
    public void Record(TimeSpan duration) => Record(duration.Ticks / TimeSpan.TicksPerMicrosecond);

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the recorded values fall, in
    /// µs: the highest value of the bucket holding the value of that rank (rank ⌈p·n/100⌉), capped at
    /// <see cref="Max"/>. 0 when empty; <c>100</c> gives <see cref="Max"/>, <c>0</c> gives <see cref="Min"/>.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        if (percentile == 0)
        {
            return Min;
        }

        // Rounded first, so that 99.9 % of 1000 is rank 999 and not 1000 (0.999 is not exact in binary).
        var rank = Math.Max(1, (long)Math.Ceiling(Math.Round(percentile / 100 * count, 9)));
        var seen = 0L;
        for (var bucket = 0; bucket < BucketCount; bucket++)
        {
            seen += _counts[bucket];
            if (seen >= rank)
            {
                return Math.Min(HighestValueOf(bucket), Max);
            }
        }

        return Max;
    }

    /// <summary>Adds every value recorded in <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        for (var bucket = 0; bucket < BucketCount; bucket++)
        {
            var count = other._counts[bucket];
            if (count != 0)
            {
                _counts[bucket] += count;
            }
        }

        _count += other._count;
        _sum += other._sum;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    /// <summary>Forgets every recorded value.</summary>
    public void Reset()
    {
        if (_count == 0)
        {
            return;
        }

        Array.Clear(_counts);
        _count = 0;
        _sum = 0;
        _min = long.MaxValue;
        _max = 0;
    }

    /// <summary>The summary the reports show: min, mean, percentiles and max, in milliseconds.</summary>
    public LatencyStats ToStats() => Count == 0
        ? LatencyStats.Empty
        : new LatencyStats(
            Count,
            Min / 1000.0,
            Mean / 1000.0,
            ValueAtPercentile(50) / 1000.0,
            ValueAtPercentile(75) / 1000.0,
            ValueAtPercentile(95) / 1000.0,
            ValueAtPercentile(99) / 1000.0,
            ValueAtPercentile(99.9) / 1000.0,
            Max / 1000.0);

    /// <summary>The lowest and highest value that land in the same bucket as <paramref name="microseconds"/>.</summary>
    public static (long Lowest, long Highest) EquivalentRange(long microseconds)
    {
        var bucket = BucketOf(Math.Clamp(microseconds, 0, HighestTrackableMicroseconds));
        return (LowestValueOf(bucket), HighestValueOf(bucket));
    }

    private static int BucketOf(long value)
    {
        var magnitude = Math.Max(0, 64 - BitOperations.LeadingZeroCount((ulong)value) - (SubBucketBits + 1));
        return (magnitude << SubBucketBits) + (int)(value >> magnitude);
    }

    private static int MagnitudeOf(int bucket) => bucket < LinearLimit ? 0 : (bucket >> SubBucketBits) - 1;

    private static long LowestValueOf(int bucket)
    {
        var magnitude = MagnitudeOf(bucket);
        return (long)(bucket - (magnitude << SubBucketBits)) << magnitude;
    }

    private static long HighestValueOf(int bucket) => LowestValueOf(bucket) + (1L << MagnitudeOf(bucket)) - 1;
}
