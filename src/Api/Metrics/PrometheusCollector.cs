using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Silo.Diagnostics;

namespace OrleansVoucher.Api.Metrics;

/// <summary>
/// Listens to the engine's meters and renders them in the Prometheus text exposition format (0.0.4):
/// the silo's (<see cref="SiloMetrics.MeterName"/>), the API's (<see cref="ApiMetrics.MeterName"/>),
/// ASP.NET Core's hosting, Kestrel, routing and rate-limiting meters, and the .NET runtime's. Only
/// meters of this host (created from its <see cref="IMeterFactory"/>) are read, plus the process-wide
/// runtime meter, so several engines in one process (as in tests) each report their own.
/// </summary>
public sealed class PrometheusCollector : IDisposable
{
    /// <summary>The meters read from this host's meter factory.</summary>
    public static readonly IReadOnlyList<string> HostMeters =
    [
        SiloMetrics.MeterName,
        ApiMetrics.MeterName,
        BulkIssuanceMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
    ];

    /// <summary>The process-wide meter of the .NET runtime (GC, memory, thread pool, CPU).</summary>
    public const string RuntimeMeter = "System.Runtime";

    private readonly IMeterFactory _meterFactory;
    private readonly int _maxSeries;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();
    private readonly Lock _scrapeLock = new();

    /// <summary>Starts listening.</summary>
    public PrometheusCollector(IMeterFactory meterFactory, IOptions<MetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        _meterFactory = meterFactory;
        _maxSeries = options.Value.MaxSeriesPerInstrument;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (Reads(instrument.Meter))
                {
                    var series = _instruments.GetOrAdd(instrument, static (i, max) => new InstrumentSeries(i, max), _maxSeries);
                    listener.EnableMeasurementEvents(instrument, series);
                }
            },
            MeasurementsCompleted = (instrument, state) => _instruments.TryRemove(instrument, out _),
        };
        _listener.SetMeasurementEventCallback<byte>((i, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((i, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((i, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((i, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, value, tags, state) => ((InstrumentSeries)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>The exposition's content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Observes the observable instruments and renders every metric.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            _listener.RecordObservableInstruments();
            var families = _instruments.Values
                .GroupBy(series => series.Name, StringComparer.Ordinal)
                .OrderBy(group => group.Key, StringComparer.Ordinal);
            var text = new StringBuilder(16 * 1024);
            foreach (var family in families)
            {
                var first = family.First();
                text.Append("# HELP ").Append(family.Key).Append(' ').Append(PrometheusText.EscapeHelp(first.Help)).Append('\n');
                text.Append("# TYPE ").Append(family.Key).Append(' ').Append(first.Type).Append('\n');
                foreach (var series in family)
                {
                    series.Render(text);
                }
            }

            return text.ToString();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private bool Reads(Meter meter) =>
        meter.Name == RuntimeMeter
            ? meter.Scope is null || ReferenceEquals(meter.Scope, _meterFactory)
            : ReferenceEquals(meter.Scope, _meterFactory) && HostMeters.Contains(meter.Name);
}
