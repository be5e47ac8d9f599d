using System.Collections;
using System.Diagnostics;
using Intent.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>
/// The spans the in-memory exporters of test hosts export. Hosts in one process see each other's spans,
/// so every span arrives once per host: it is kept once, by span id.
/// </summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ActivitySpanId, Activity> _spans = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    /// <summary>
    /// Adds an in-memory exporter into this recorder to a host's tracing, with the hosts' instrumentation and parent-based
    /// always-on sampling set explicitly (a host records spans only when something exports them, and this exporter is not OTLP).
    /// </summary>
    public void Record(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing =>
            tracing.AddIntentInstrumentation().AddInMemoryExporter(this).SetSampler(new ParentBasedSampler(new AlwaysOnSampler())));

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_lock)
        {
            return [.. _spans.Values.OrderBy(s => s.StartTimeUtc)];
        }
    }

    public void Add(Activity item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            _spans.TryAdd(item.SpanId, item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            return _spans.ContainsKey(item.SpanId);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().ToArray().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            return _spans.Remove(item.SpanId);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
