using System.Threading.RateLimiting;
using OrleansVoucher.Api.RateLimiting;
using OrleansVoucher.Testing;

namespace OrleansVoucher.Api.Tests.RateLimiting;

/// <summary>The lazily refilled bucket holds its limits exactly, on the engine's clock.</summary>
public sealed class LazyTokenBucketLimiterTests
{
    private readonly ManualTimeProvider _clock = new();

    private LazyTokenBucketLimiter Bucket(int limit, int perPeriod, TimeSpan period) =>
        new(new TokenBucketSettings { TokenLimit = limit, TokensPerPeriod = perPeriod, ReplenishmentPeriod = period }, _clock);

    private static int Admitted(RateLimiter bucket, int attempts)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            using var lease = bucket.AttemptAcquire();
            admitted += lease.IsAcquired ? 1 : 0;
        }

        return admitted;
    }

    [Fact]
    public void A_full_bucket_admits_its_burst_then_refills_whole_periods_and_never_past_the_limit()
    {
        using var bucket = Bucket(limit: 20, perPeriod: 5, period: TimeSpan.FromSeconds(1));
        Assert.Equal(20, Admitted(bucket, 50));
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, Admitted(bucket, 10));

        _clock.Advance(TimeSpan.FromMilliseconds(1501));
        Assert.Equal(10, Admitted(bucket, 20));

        // The half period already begun still counts: the next tokens come at 3 s, not at 3.5 s.
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(5, Admitted(bucket, 20));

        _clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(20, Admitted(bucket, 50));
    }

    [Fact]
    public void Over_a_long_run_it_admits_the_burst_plus_the_refill_and_no_more()
    {
        using var bucket = Bucket(limit: 200, perPeriod: 100, period: TimeSpan.FromSeconds(1));
        var admitted = 0;
        for (var step = 0; step < 1000; step++)
        {
            admitted += Admitted(bucket, 7);
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        // 10 s: the burst of 200 and 100 a second for the 9 whole seconds that passed before the last request.
        Assert.Equal(200 + (9 * 100), admitted);
    }

    [Fact]
    public void A_refusal_names_the_wait_of_the_framework_bucket()
    {
        using var bucket = Bucket(limit: 2, perPeriod: 1, period: TimeSpan.FromMinutes(10));
        Assert.Equal(2, Admitted(bucket, 2));

        using var refused = bucket.AttemptAcquire();
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var wait));
        Assert.Equal(TimeSpan.FromMinutes(10), wait);

        using var many = Bucket(limit: 10, perPeriod: 2, period: TimeSpan.FromSeconds(1));
        Assert.Equal(10, Admitted(many, 10));
        using var refusedMany = many.AttemptAcquire(7);
        Assert.True(refusedMany.TryGetMetadata(MetadataName.RetryAfter, out var longer));
        Assert.Equal(TimeSpan.FromSeconds(3), longer);
        Assert.Throws<ArgumentOutOfRangeException>(() => many.AttemptAcquire(11));
    }

    [Fact]
    public void It_is_idle_only_once_full_again_counted_from_when_it_filled()
    {
        using var bucket = Bucket(limit: 4, perPeriod: 1, period: TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), bucket.IdleDuration);

        Assert.Equal(2, Admitted(bucket, 2));
        Assert.Null(bucket.IdleDuration);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(bucket.IdleDuration);

        // Full again at 2 s after the draw; 5 s after it, it has been idle for 3 s.
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(3), bucket.IdleDuration);
        Assert.Equal(4, bucket.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Concurrent_callers_share_the_bucket_without_overdrawing_it()
    {
        using var bucket = Bucket(limit: 1000, perPeriod: 1, period: TimeSpan.FromHours(1));
        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Admitted(bucket, 500))));

        Assert.Equal(1000, counts.Sum());
        var statistics = bucket.GetStatistics()!;
        Assert.Equal(1000, statistics.TotalSuccessfulLeases);
        Assert.Equal(3000, statistics.TotalFailedLeases);
    }
}
