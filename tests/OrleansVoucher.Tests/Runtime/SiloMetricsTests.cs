using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Diagnostics;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>Each silo counts its calls and activations on its own meter.</summary>
public sealed class SiloMetricsTests
{
    [Fact]
    public async Task Calls_failures_and_activations_are_counted_on_the_silos_own_meter()
    {
        await using var silo = await TestSilo.StartAsync();
        await using var other = await TestSilo.StartAsync();
        using var recorder = new MeterRecorder(silo);

        var grains = Enumerable.Range(0, 3).Select(i => silo.Grains.GetGrain<IFaultyGrain>($"m{i}")).ToArray();
        foreach (var grain in grains)
        {
            await grain.AddAsync(1, 1);
            await grain.AddLaterAsync(1, 1);
            await grain.TouchAsync(suspend: true);
        }

        await Assert.ThrowsAsync<GrainFaultException>(() => grains[0].ThrowAsync("counted", afterSuspension: false));
        await Assert.ThrowsAsync<GrainFaultException>(() => grains[1].ThrowAsync("counted too", afterSuspension: true));
        await other.Grains.GetGrain<IFaultyGrain>("elsewhere").AddAsync(1, 1);

        Assert.Equal(3, recorder.Total("orleansvoucher.silo.activations.created"));
        Assert.Equal(11, recorder.Total("orleansvoucher.silo.calls"));
        Assert.Equal(2, recorder.Total("orleansvoucher.silo.calls.failed"));
        Assert.Equal(11, recorder.Count("orleansvoucher.silo.call.duration"));
        Assert.Equal(3, recorder.Observe("orleansvoucher.silo.activations"));

        Assert.Equal(3, await silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero));
        Assert.Equal(3, recorder.Total("orleansvoucher.silo.activations.collected"));
        Assert.Equal(0, recorder.Observe("orleansvoucher.silo.activations"));
    }

    /// <summary>Records the measurements of one silo's meter.</summary>
    private sealed class MeterRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, double> _totals = new();
        private readonly ConcurrentDictionary<string, int> _counts = new();
        private readonly ConcurrentDictionary<string, double> _observed = new();

        public MeterRecorder(TestSilo silo)
        {
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

        public double Total(string instrument) => _totals.GetValueOrDefault(instrument);

        public int Count(string instrument) => _counts.GetValueOrDefault(instrument);

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
            _counts.AddOrUpdate(instrument.Name, 1, (_, count) => count + 1);
        }
    }
}
