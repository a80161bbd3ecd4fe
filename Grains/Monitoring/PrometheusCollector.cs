using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Collects System.Diagnostics.Metrics instruments with a <see cref="MeterListener"/> and renders them
/// in the Prometheus text format. Listens to meters whose name is one of the given prefixes or starts
/// with one followed by a dot, and which are global or belong to <c>scope</c> (the host's meter
/// factory): two hosts in one process, as in tests, do not see each other's meters.
/// </summary>
public sealed class PrometheusCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _states = new();
    private readonly Lock _scrapeGate = new();
    private readonly string[] _prefixes;
    private readonly object? _scope;

    /// <summary>Starts listening.</summary>
    /// <param name="meterPrefixes">Meter name prefixes, e.g. <c>Distributed</c>.</param>
    /// <param name="scope">The host's meter factory (a meter's <see cref="Meter.Scope"/>); meters of other scopes are ignored, global meters (no scope) are not.</param>
    public PrometheusCollector(IEnumerable<string> meterPrefixes, object? scope = null)
    {
        ArgumentNullException.ThrowIfNull(meterPrefixes);
        _prefixes = [.. meterPrefixes];
        _scope = scope;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Accepts(instrument.Meter) && InstrumentState.Create(instrument) is { } state && _states.TryAdd(instrument, state))
            {
                listener.EnableMeasurementEvents(instrument, state);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _states.TryRemove(instrument, out InstrumentState? _);
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Observes the observable instruments and renders every family, sorted by name.</summary>
    public string Scrape()
    {
        var output = new StringBuilder(16 * 1024);
        lock (_scrapeGate)
        {
            var states = _states.Values.ToArray();
            foreach (var state in states.Where(s => s.Instrument.IsObservable))
            {
                state.ResetObservations();
            }
            _listener.RecordObservableInstruments();
            var written = new HashSet<string>(StringComparer.Ordinal);
            var ordered = states
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .ThenBy(s => s.Instrument.Meter.Name, StringComparer.Ordinal);
            foreach (var state in ordered)
            {
                var series = state.Series.ToArray();
                // Two instruments that map to one name would make an invalid exposition: the first one wins.
                if (series.Length == 0 || !written.Add(state.Name))
                {
                    continue;
                }
                PrometheusTextFormat.WriteFamily(output, state.Name, state.Help, state.Type, state.Bounds, series);
            }
        }
        return output.ToString();
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();

    private bool Accepts(Meter meter)
    {
        if (meter.Scope is not null && !ReferenceEquals(meter.Scope, _scope))
        {
            return false;
        }
        foreach (var prefix in _prefixes)
        {
            if (meter.Name == prefix || (meter.Name.StartsWith(prefix, StringComparison.Ordinal) && meter.Name.Length > prefix.Length && meter.Name[prefix.Length] == '.'))
            {
                return true;
            }
        }
        return false;
    }
}
