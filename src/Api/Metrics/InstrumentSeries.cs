using System.Diagnostics.Metrics;
using System.Text;

namespace OrleansVoucher.Api.Metrics;

/// <summary>
/// The aggregated measurements of one instrument, one series per combination of labels: a running sum
/// for counters and up-down counters, the last value for gauges and observable instruments (which
/// report totals), bucket counts, sum and count for histograms.
/// </summary>
internal sealed class InstrumentSeries
{
    private static readonly double[] s_secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] s_millisecondsBuckets = [1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 10000];
    private static readonly double[] s_countBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

    // The series of each tag set seen, found without allocating: rendering a measurement's tags as
    // Prometheus labels (names sanitised, values escaped, pairs sorted) costs far more than the
    // measurement, and the same few tag sets come back on every request.
    private readonly Dictionary<TagSet, Series> _byTags = new(TagSetComparer.Instance);
    private readonly Dictionary<TagSet, Series>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _byTagsLookup;
    private readonly int _maxSeries;
    private readonly Aggregation _aggregation;
    private readonly double[] _bounds = [];

    public InstrumentSeries(Instrument instrument, int maxSeries)
    {
        _maxSeries = maxSeries;
        _byTagsLookup = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        (_aggregation, Type) = definition switch
        {
            _ when definition == typeof(Counter<>) => (Aggregation.Sum, "counter"),
            _ when definition == typeof(UpDownCounter<>) => (Aggregation.Sum, "gauge"),
            _ when definition == typeof(ObservableCounter<>) => (Aggregation.Last, "counter"),
            _ when definition == typeof(Histogram<>) => (Aggregation.Histogram, "histogram"),
            _ => (Aggregation.Last, "gauge"),
        };
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, Type == "counter");
        Help = instrument.Description ?? instrument.Name;
        if (_aggregation == Aggregation.Histogram)
        {
            _bounds = AdvisedBounds(instrument) ?? instrument.Unit switch
            {
                "s" => s_secondsBuckets,
                "ms" => s_millisecondsBuckets,
                _ => s_countBuckets,
            };
        }
    }

    private enum Aggregation
    {
        Sum,
        Last,
        Histogram,
    }

    /// <summary>The Prometheus metric name.</summary>
    public string Name { get; }

    /// <summary>The Prometheus type: counter, gauge or histogram.</summary>
    public string Type { get; }

    /// <summary>The help text.</summary>
    public string Help { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            if (!_byTagsLookup.TryGetValue(tags, out var series))
            {
                var labels = tags.IsEmpty ? "" : Labels(tags);
                if (!_series.TryGetValue(labels, out series))
                {
                    if (_series.Count >= _maxSeries)
                    {
                        return;
                    }

                    _series[labels] = series = new Series(_bounds.Length);
                }

                // The same labels may come in another order or with equal values of other types:
                // each such tag set points at the one series. Bounded, in case the values never repeat.
                if (_byTags.Count < _maxSeries * 4)
                {
                    _byTagsLookup.TryAdd(tags, series);
                }
            }

            switch (_aggregation)
            {
                case Aggregation.Sum:
                    series.Value += value;
                    break;
                case Aggregation.Last:
                    series.Value = value;
                    break;
                default:
                    var bucket = Array.BinarySearch(_bounds, value);
                    series.Buckets[bucket >= 0 ? bucket : ~bucket]++;
                    series.Sum += value;
                    series.Count++;
                    break;
            }
        }
    }

    public void Render(StringBuilder text)
    {
        lock (_lock)
        {
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (_aggregation != Aggregation.Histogram)
                {
                    Sample(text, Name, labels, null, series.Value);
                    continue;
                }

                long cumulative = 0;
                for (var i = 0; i < _bounds.Length; i++)
                {
                    cumulative += series.Buckets[i];
                    Sample(text, Name + "_bucket", labels, PrometheusText.Number(_bounds[i]), cumulative);
                }

                Sample(text, Name + "_bucket", labels, "+Inf", series.Count);
                Sample(text, Name + "_sum", labels, null, series.Sum);
                Sample(text, Name + "_count", labels, null, series.Count);
            }
        }
    }

    private static void Sample(StringBuilder text, string name, string labels, string? le, double value)
    {
        text.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            text.Append('{').Append(labels);
            if (le is not null)
            {
                text.Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(PrometheusText.Number(value)).Append('\n');
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new (string Name, string Value)[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            pairs[i] = (PrometheusText.LabelName(tags[i].Key), PrometheusText.EscapeLabelValue(Convert.ToString(tags[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }

        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var builder = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"").Append(value).Append('"');
        }

        return builder.ToString();
    }

    private static double[]? AdvisedBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };

    /// <summary>A measurement's tags, copied: the key of <see cref="_byTags"/>.</summary>
    private sealed class TagSet(KeyValuePair<string, object?>[] tags)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;
    }

    /// <summary>Compares tag sets pair by pair (names ordinally, values by <see cref="object.Equals(object?, object?)"/>), stored or as measured.</summary>
    private sealed class TagSetComparer : IEqualityComparer<TagSet>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
    {
        public static readonly TagSetComparer Instance = new();

        public bool Equals(TagSet? x, TagSet? y) => ReferenceEquals(x, y) || (x is not null && y is not null && Equals(x.Tags, y));

        public int GetHashCode(TagSet obj) => GetHashCode(obj.Tags);

        public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other)
        {
            var tags = other.Tags;
            if (alternate.Length != tags.Length)
            {
                return false;
            }

            for (var i = 0; i < tags.Length; i++)
            {
                if (!string.Equals(alternate[i].Key, tags[i].Key, StringComparison.Ordinal) || !object.Equals(alternate[i].Value, tags[i].Value))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
        {
            var hash = new HashCode();
            foreach (var (key, value) in alternate)
            {
                hash.Add(key, StringComparer.Ordinal);
                hash.Add(value);
            }

            return hash.ToHashCode();
        }

        public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate.ToArray());
    }

    private sealed class Series(int bounds)
    {
        public double Value { get; set; }

        public long[] Buckets { get; } = new long[bounds + 1];

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
