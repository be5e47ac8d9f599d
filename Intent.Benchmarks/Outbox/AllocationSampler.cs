using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// The runtime's allocation samples (<c>GCAllocationTick</c>, one about every 100 kB a thread allocates) by type while
/// it listens: which types make up a pipeline's allocations. On with <c>INTENT_BENCH_ALLOCATIONS=1</c>.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const int AllocationTick = 10;
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private volatile bool _recording;

    public static bool Wanted => Environment.GetEnvironmentVariable("INTENT_BENCH_ALLOCATIONS") == "1";

    public void Start()
    {
        _bytes.Clear();
        _recording = true;
    }

    /// <summary>Stops; the <paramref name="top"/> types by sampled bytes, each with its share.</summary>
    public IEnumerable<string> Stop(int top)
    {
        _recording = false;
        var total = Math.Max(1, _bytes.Values.Sum());
        return _bytes.OrderByDescending(t => t.Value).Take(top).Select(t => $"{t.Value * 100.0 / total,5:N1} % {t.Key}");
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != AllocationTick || eventData.Payload is null)
        {
            return;
        }

        var name = eventData.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? eventData.Payload[i] as string ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(eventData.Payload[j], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(name, amount, (_, sum) => sum + amount);
    }
}
