using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Diagnostics;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>Records the measurements of one silo's meter, ignoring every other silo's.</summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _totals = new();
    private readonly Dictionary<string, int> _counts = [];
    private readonly List<(string Instrument, int Count, TaskCompletionSource Reached)> _waiters = [];
    private readonly ConcurrentDictionary<string, double> _observed = new();

    public MeterRecorder(TestSilo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var meterFactory = silo.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SiloMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument, value));
        _listener.Start();
    }

    /// <summary>The sum of the measurements of <paramref name="instrument"/>.</summary>
    public double Total(string instrument) => _totals.GetValueOrDefault(instrument);

    /// <summary>How many measurements <paramref name="instrument"/> recorded.</summary>
    public int Count(string instrument)
    {
        lock (_counts)
        {
            return _counts.GetValueOrDefault(instrument);
        }
    }

    /// <summary>Completes once <paramref name="instrument"/> has recorded <paramref name="count"/> measurements.</summary>
    public Task WhenCount(string instrument, int count)
    {
        lock (_counts)
        {
            if (_counts.GetValueOrDefault(instrument) >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((instrument, count, reached));
            return reached.Task;
        }
    }

    /// <summary>The current value of the observable instrument <paramref name="instrument"/>.</summary>
    public double Observe(string instrument)
    {
        _observed.Clear();
        _listener.RecordObservableInstruments();
        return _observed[instrument];
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value)
    {
        if (instrument.IsObservable)
        {
            _observed[instrument.Name] = value;
            return;
        }

        _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
        List<TaskCompletionSource>? reached = null;
        lock (_counts)
        {
            var count = _counts[instrument.Name] = _counts.GetValueOrDefault(instrument.Name) + 1;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Instrument == instrument.Name && count >= _waiters[i].Count)
                {
                    (reached ??= []).Add(_waiters[i].Reached);
                    _waiters.RemoveAt(i);
                }
            }
        }

        reached?.ForEach(r => r.TrySetResult());
    }
}
