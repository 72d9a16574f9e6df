using System.Diagnostics.Metrics;

namespace OrleansVoucher.Api.Metrics;

/// <summary>
/// The API's instruments, on the meter named <see cref="MeterName"/>: requests and their durations by
/// route, method and status; problems by code; idempotent replays.
/// </summary>
public sealed class ApiMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "OrleansVoucher.Api";

    private static readonly double[] s_durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>.</summary>
    public ApiMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        Requests = _meter.CreateCounter<long>("orleansvoucher.api.requests", "{request}", "HTTP requests completed, by route, method and status.");
        RequestDuration = _meter.CreateHistogram("orleansvoucher.api.request.duration", "s", "Time to answer an HTTP request, by route, method and status.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBuckets });
        Problems = _meter.CreateCounter<long>("orleansvoucher.api.problems", "{problem}", "Problem documents sent, by code.");
        IdempotencyReplays = _meter.CreateCounter<long>("orleansvoucher.api.idempotency.replays", "{response}", "Responses replayed for a retried idempotency key.");
    }

    /// <summary>Requests completed.</summary>
    public Counter<long> Requests { get; }

    /// <summary>Request durations in seconds.</summary>
    public Histogram<double> RequestDuration { get; }

    /// <summary>Problem documents by code.</summary>
    public Counter<long> Problems { get; }

    /// <summary>Replayed idempotent responses.</summary>
    public Counter<long> IdempotencyReplays { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
