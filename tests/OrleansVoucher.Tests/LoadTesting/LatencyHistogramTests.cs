using OrleansVoucher.LoadTests.Runner;

namespace OrleansVoucher.Tests.LoadTesting;

public sealed class LatencyHistogramTests
{
    private const double Precision = 1.0 / 1024;

    [Fact]
    public void Uniform_distribution_percentiles_are_within_a_thousandth()
    {
        var histogram = new LatencyHistogram();
        for (var value = 1; value <= 100_000; value++)
        {
            histogram.Record(value);
        }

        Assert.Equal(100_000, histogram.Count);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(100_000, histogram.Max);
        Assert.Equal(50_000.5, histogram.Mean, 6);
        foreach (var (percentile, exact) in new[] { (50.0, 50_000L), (75, 75_000), (95, 95_000), (99, 99_000), (99.9, 99_900), (100, 100_000) })
        {
            var reported = histogram.ValueAtPercentile(percentile);
            Assert.InRange(reported, exact, exact * (1 + Precision));
        }
    }

    [Fact]
    public void Heavy_tailed_distribution_matches_exact_percentiles_from_microseconds_to_minutes()
    {
        // Log-uniform from 1 µs to 10 minutes: every magnitude of the histogram gets values.
        var random = new Random(42);
        var values = new long[200_000];
        var histogram = new LatencyHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (long)Math.Exp(random.NextDouble() * Math.Log(600_000_000));
            histogram.Record(values[i]);
        }

        Array.Sort(values);
        foreach (var percentile in new[] { 1, 10, 50, 75, 90, 95, 99, 99.9, 99.99 })
        {
            var exact = values[(int)Math.Ceiling(Math.Round(percentile / 100 * values.Length, 9)) - 1];
            var reported = histogram.ValueAtPercentile(percentile);
            Assert.True(
                reported >= exact && reported <= exact + (exact * Precision),
                $"p{percentile}: exact {exact} µs, reported {reported} µs");
        }

        Assert.Equal(values[0], histogram.Min);
        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values.Average(), histogram.Mean, 3);
    }

    [Fact]
    public void Values_below_two_milliseconds_are_exact_and_buckets_never_exceed_the_precision()
    {
        for (long value = 0; value < 2048; value++)
        {
            Assert.Equal((value, value), LatencyHistogram.EquivalentRange(value));
        }

        for (long value = 2048; value < LatencyHistogram.HighestTrackableMicroseconds; value = (value * 3 / 2) + 7)
        {
            var (lowest, highest) = LatencyHistogram.EquivalentRange(value);
            Assert.InRange(value, lowest, highest);
            Assert.True(highest - lowest + 1 <= lowest * Precision, $"bucket of {value}: {lowest}..{highest}");
        }
    }

    [Fact]
    public void Merging_gives_the_histogram_of_all_values()
    {
        var random = new Random(7);
        var all = new LatencyHistogram();
        var first = new LatencyHistogram();
        var second = new LatencyHistogram();
        for (var i = 0; i < 50_000; i++)
        {
            var value = (long)(random.NextDouble() * random.NextDouble() * 5_000_000);
            all.Record(value);
            (i % 3 == 0 ? first : second).Record(value);
        }

        var merged = new LatencyHistogram();
        merged.Add(first);
        merged.Add(second);
        merged.Add(new LatencyHistogram());

        Assert.Equal(all.Count, merged.Count);
        Assert.Equal(all.Min, merged.Min);
        Assert.Equal(all.Max, merged.Max);
        Assert.Equal(all.Mean, merged.Mean, 9);
        foreach (var percentile in new[] { 0, 25, 50, 90, 99, 99.9, 100 })
        {
            Assert.Equal(all.ValueAtPercentile(percentile), merged.ValueAtPercentile(percentile));
        }
    }

    [Fact]
    public void Recording_from_many_threads_loses_nothing()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 4, thread =>
        {
            for (var i = 1; i <= 50_000; i++)
            {
                histogram.Record(i);
            }
        });

        Assert.Equal(200_000, histogram.Count);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(50_000, histogram.Max);
        Assert.Equal(25_000.5, histogram.Mean, 6);
    }

    [Fact]
    public void Out_of_range_values_are_clamped_and_an_empty_histogram_reports_zeros()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(LatencyStats.Empty, histogram.ToStats());
        Assert.Equal(0, histogram.ValueAtPercentile(99));

        histogram.Record(-5);
        histogram.Record(long.MaxValue);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(LatencyHistogram.HighestTrackableMicroseconds, histogram.Max);

        histogram.Reset();
        Assert.Equal(0, histogram.Count);
        histogram.Record(TimeSpan.FromMilliseconds(25));
        Assert.Equal(25_000, histogram.Max);
        Assert.Equal(25.0, histogram.ToStats().P99);
    }
}
