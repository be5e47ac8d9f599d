using System.Diagnostics;
using System.Text;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>Finds the spans of one run's path in recorded spans and checks that they form one parent chain.</summary>
public sealed class RunTrace(IReadOnlyList<Activity> spans, Guid runId)
{
    private readonly Dictionary<ActivitySpanId, Activity> _byId = spans.ToDictionary(s => s.SpanId);

    /// <summary>The API's server span of <c>POST .../runs</c>.</summary>
    public Activity? Request => spans.FirstOrDefault(s =>
        s.Kind == ActivityKind.Server && Tag(s, "http.request.method") == "POST" && (Tag(s, "http.route") ?? "").TrimEnd('/').EndsWith("/runs", StringComparison.Ordinal));

    /// <summary>The saga handling <paramref name="messageType"/> for this run.</summary>
    public Activity? Saga(string messageType) => spans.FirstOrDefault(s =>
        Tag(s, "messaging.operation") == "process" && Tag(s, "messaging.masstransit.saga_id") == runId.ToString("D") && IsOf(s, messageType));

    /// <summary>A consumer (not a saga) handling <paramref name="messageType"/>.</summary>
    public Activity? Consumer(string consumerType, string messageType) => spans.FirstOrDefault(s =>
        Tag(s, "messaging.operation") == "process" && (Tag(s, "messaging.masstransit.consumer_type") ?? "").EndsWith(consumerType, StringComparison.Ordinal) && IsOf(s, messageType));

    /// <summary>Whether <paramref name="descendant"/> reaches <paramref name="ancestor"/> through recorded parents.</summary>
    public bool Descends(Activity descendant, Activity ancestor)
    {
        var current = descendant;
        while (current.ParentSpanId != default)
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }

            if (!_byId.TryGetValue(current.ParentSpanId, out var parent))
            {
                return false;
            }

            current = parent;
        }

        return false;
    }

    /// <summary>The recorded spans, one a line, for a failure message.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var s in spans.Where(s => s.Source.Name != "Npgsql"))
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{s.TraceId} {s.SpanId} <- {s.ParentSpanId} {s.Kind} '{s.DisplayName}' {Tag(s, "messaging.masstransit.consumer_type")} {Tag(s, "messaging.masstransit.saga_id")} {Tag(s, "messaging.masstransit.message_types")} {Tag(s, "http.route")}\n");
        }

        return text.ToString();
    }

    public override string ToString() => "\n" + Describe();

    private static bool IsOf(Activity span, string messageType) =>
        (Tag(span, "messaging.masstransit.message_types") ?? "").Split(',').Any(t => t.EndsWith(":" + messageType, StringComparison.Ordinal));

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();
}
