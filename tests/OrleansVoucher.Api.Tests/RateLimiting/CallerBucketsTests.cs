using OrleansVoucher.Api.RateLimiting;
using OrleansVoucher.Testing;

namespace OrleansVoucher.Api.Tests.RateLimiting;

/// <summary>A bucket per caller, dropped only when dropping it changes nothing.</summary>
public sealed class CallerBucketsTests
{
    private static readonly TokenBucketSettings Settings = new() { TokenLimit = 3, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };

    private readonly ManualTimeProvider _clock = new();

    private static int Admitted(CallerBuckets buckets, string caller, int attempts)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            using var lease = buckets.Acquire(caller);
            admitted += lease.IsAcquired ? 1 : 0;
        }

        return admitted;
    }

    [Fact]
    public void Each_caller_draws_on_a_bucket_of_its_own()
    {
        var buckets = new CallerBuckets(Settings, _clock);

        Assert.Equal(3, Admitted(buckets, "worker:a", 5));
        Assert.Equal(3, Admitted(buckets, "worker:b", 5));
        Assert.Equal(2, buckets.Count);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, Admitted(buckets, "worker:a", 5));
    }

    [Fact]
    public void Only_buckets_full_for_the_idle_limit_are_dropped()
    {
        var buckets = new CallerBuckets(Settings, _clock);
        Admitted(buckets, "worker:idle", 1);
        _clock.Advance(TimeSpan.FromSeconds(1));

        // "busy" drew its whole burst a moment ago; "idle" has been full since 1 s.
        Admitted(buckets, "worker:busy", 3);
        _clock.Advance(CallerBuckets.IdleLimit);
        Assert.Equal(1, buckets.RemoveIdle());
        Assert.Equal(1, buckets.Count);

        // "busy" refilled 3 s after its draw: it is dropped once full for the idle limit after that.
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, buckets.RemoveIdle());
        Assert.Equal(0, buckets.Count);
    }

    [Fact]
    public void A_caller_whose_bucket_was_dropped_gets_what_the_kept_bucket_would_have_given()
    {
        var buckets = new CallerBuckets(Settings, _clock);
        Assert.Equal(3, Admitted(buckets, "worker:a", 3));
        _clock.Advance(CallerBuckets.IdleLimit + TimeSpan.FromSeconds(3));
        buckets.RemoveIdle();

        Assert.Equal(3, Admitted(buckets, "worker:a", 5));
    }

    [Fact]
    public void A_retired_bucket_admits_nothing_more()
    {
        using var bucket = new LazyTokenBucketLimiter(Settings, _clock);
        Assert.False(bucket.TryRetire(CallerBuckets.IdleLimit));
        Assert.True(bucket.TryAcquire(out var first));
        first.Dispose();

        _clock.Advance(CallerBuckets.IdleLimit + TimeSpan.FromSeconds(1));
        Assert.True(bucket.TryRetire(CallerBuckets.IdleLimit));
        Assert.False(bucket.TryAcquire(out var refused));
        Assert.Null(refused);
    }

    [Fact]
    public void Requests_sweep_idle_buckets_once_a_sweep_is_due()
    {
        var buckets = new CallerBuckets(Settings, _clock);
        for (var i = 0; i < 1000; i++)
        {
            Admitted(buckets, $"worker:{i}", 1);
        }

        Assert.Equal(1000, buckets.Count);
        _clock.Advance(CallerBuckets.IdleLimit * 2);

        // The sweep runs on the thread pool, started by the next request.
        Admitted(buckets, "worker:new", 1);
        Assert.True(SpinWait.SpinUntil(() => buckets.Count == 1, TimeSpan.FromSeconds(30)), $"{buckets.Count} buckets left");
    }

    [Fact]
    public async Task Racing_callers_and_sweeps_never_overdraw_a_bucket()
    {
        var buckets = new CallerBuckets(new TokenBucketSettings { TokenLimit = 1000, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1) }, _clock);
        using var stop = new CancellationTokenSource();
        var sweeper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                buckets.RemoveIdle();
            }
        });
        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Admitted(buckets, "institution:busy", 500))));
        await stop.CancelAsync();
        await sweeper;

        Assert.Equal(1000, counts.Sum());
    }
}
