using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Intent.Messaging.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>Records what one host's outbox instruments measure (only that host's: by its meter factory).</summary>
public sealed class OutboxMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public OutboxMeasurements(IServiceProvider host)
    {
        var scope = host.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OutboxMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> measured, for one destination when given.</summary>
    public double Sum(string instrument, string? destination = null) =>
        _measurements.Where(m => m.Instrument == instrument
                && (destination is null || Equals(m.Tags.GetValueOrDefault(OutboxMetrics.DestinationTag), destination)))
            .Sum(m => m.Value);

    public IReadOnlyList<Dictionary<string, object?>> Tags(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Tags)];

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }
}
