using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;

namespace OrleansVoucher.Api.RateLimiting;

/// <summary>
/// A token bucket that refills when it is asked, not by a timer: <see cref="TokenBucketSettings.TokensPerPeriod"/>
/// tokens for every whole <see cref="TokenBucketSettings.ReplenishmentPeriod"/> since the bucket was made,
/// never more than <see cref="TokenBucketSettings.TokenLimit"/> — the limits of an auto-replenished
/// <see cref="TokenBucketRateLimiter"/> without a timer per bucket, nor one sweeping every bucket
/// ten times a second. No queue: a request the bucket cannot serve is refused at once, with the
/// same <see cref="MetadataName.RetryAfter"/> the framework's bucket would give.
/// </summary>
internal sealed class LazyTokenBucketLimiter : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true, null);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly int _perPeriod;
    private readonly long _period;

    // Guarded by _lock. Timestamps are in _time's units.
    private int _tokens;
    private long _periodStart;
    private long? _fullSince;
    private long _successful;
    private long _failed;
    private bool _retired;

    /// <summary>A full bucket as configured by <paramref name="settings"/>, on <paramref name="time"/>'s clock.</summary>
    public LazyTokenBucketLimiter(TokenBucketSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.TokenLimit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.TokensPerPeriod);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.ReplenishmentPeriod, TimeSpan.Zero);
        _time = time;
        _limit = settings.TokenLimit;
        _perPeriod = settings.TokensPerPeriod;
        _period = Math.Max(1, (long)((Int128)settings.ReplenishmentPeriod.Ticks * time.TimestampFrequency / TimeSpan.TicksPerSecond));
        _tokens = _limit;
        _periodStart = time.GetTimestamp();
        _fullSince = _periodStart;
        RetryPeriod = settings.ReplenishmentPeriod;
    }

    private TimeSpan RetryPeriod { get; }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                return IdleLocked();
            }
        }
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill(_time.GetTimestamp());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _tokens,
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _limit);
        lock (_lock)
        {
            return AcquireLocked(permitCount);
        }
    }

    /// <summary>
    /// Takes one token for a request, as <see cref="RateLimiter.AttemptAcquire"/> does; false, with no
    /// lease, once <see cref="TryRetire"/> has retired the bucket: the caller's next request belongs to
    /// a new one.
    /// </summary>
    internal bool TryAcquire([NotNullWhen(true)] out RateLimitLease? lease)
    {
        lock (_lock)
        {
            lease = _retired ? null : AcquireLocked(1);
            return lease is not null;
        }
    }

    /// <summary>
    /// Retires the bucket if it has been full for at least <paramref name="idleLimit"/>: nothing it
    /// holds differs from a new bucket's, so dropping it loses nothing. A retired bucket admits no
    /// request through <see cref="TryAcquire"/>.
    /// </summary>
    internal bool TryRetire(TimeSpan idleLimit)
    {
        lock (_lock)
        {
            _retired |= IdleLocked() >= idleLimit;
            return _retired;
        }
    }

    /// <summary>Refills, then answers how long the bucket has been full; null when it is not. Called under <see cref="_lock"/>.</summary>
    private TimeSpan? IdleLocked()
    {
        var now = _time.GetTimestamp();
        Refill(now);
        return _fullSince is { } since ? _time.GetElapsedTime(since, now) : null;
    }

    /// <summary>Refills, then takes <paramref name="permitCount"/> tokens or refuses. Called under <see cref="_lock"/>.</summary>
    private RateLimitLease AcquireLocked(int permitCount)
    {
        Refill(_time.GetTimestamp());
        if (permitCount == 0)
        {
            // As the framework's bucket: asking for nothing tells whether a token is left.
            return _tokens > 0 ? Granted : Refused(1);
        }

        if (_tokens >= permitCount)
        {
            _tokens -= permitCount;
            _fullSince = null;
            _successful++;
            return Granted;
        }

        _failed++;
        return Refused(permitCount);
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<RateLimitLease>(cancellationToken)
            : ValueTask.FromResult(AttemptAcquireCore(permitCount));

    /// <summary>Adds the tokens of every whole period since the last refill. Called under <see cref="_lock"/>.</summary>
    private void Refill(long now)
    {
        var periods = (now - _periodStart) / _period;
        if (periods <= 0)
        {
            return;
        }

        if (_tokens < _limit)
        {
            var missing = _limit - _tokens;
            var needed = (missing + _perPeriod - 1) / _perPeriod;
            if (periods >= needed)
            {
                _tokens = _limit;
                _fullSince = _periodStart + (needed * _period);
            }
            else
            {
                _tokens += (int)periods * _perPeriod;
            }
        }

        _periodStart += periods * _period;
    }

    /// <summary>A refusal, with the wait the framework's bucket would name: whole periods for the tokens missing, at least one.</summary>
    private Lease Refused(int permitCount)
    {
        var periods = Math.Max((permitCount - _tokens) / _perPeriod, 1);
        return new Lease(false, RetryPeriod * periods);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
