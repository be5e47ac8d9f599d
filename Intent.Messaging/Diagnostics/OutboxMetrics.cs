using System.Diagnostics.Metrics;
using Npgsql;

namespace Intent.Messaging.Diagnostics;

/// <summary>
/// The outbox and inbox instruments, on the meter <see cref="MeterName"/>. Labels stay bounded: a
/// destination (queue or exchange name) and an exception type, never a message id.
/// </summary>
public sealed class OutboxMetrics : IDisposable
{
    /// <summary>The meter to enable in a metrics pipeline (e.g. OpenTelemetry's <c>AddMeter</c>).</summary>
    public const string MeterName = "Intent.Messaging";

    public const string DestinationTag = "messaging.destination.name";
    public const string ErrorTypeTag = "error.type";

    /// <summary>The label of destinations that live only as long as one bus (temporary response queues).</summary>
    public const string TemporaryDestination = "temporary";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failures;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _duplicates;

    public OutboxMetrics(IMeterFactory? meterFactory, IOutboxBacklog backlog)
    {
        ArgumentNullException.ThrowIfNull(backlog);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        _meter.CreateObservableGauge(
            "intent.outbox.messages.pending",
            () => Observe(backlog, b => b.Pending),
            unit: "{message}",
            description: "Messages committed to the outbox and not yet handed to the broker (the whole database's outbox, the same in every process).");
        _meter.CreateObservableGauge(
            "intent.outbox.oldest_message.age",
            () => Observe(backlog, b => b.OldestAge.TotalSeconds),
            unit: "s",
            description: "How long the oldest undelivered outbox message has waited; 0 when none waits.");
        _delivered = _meter.CreateCounter<long>(
            "intent.outbox.messages.delivered",
            unit: "{message}",
            description: "Outbox messages this process's relay handed to the broker.");
        _failures = _meter.CreateCounter<long>(
            "intent.outbox.delivery.failures",
            unit: "{failure}",
            description: "Sends of outbox messages to the broker that failed; the message stays and is sent again.");
        _batchSize = _meter.CreateHistogram(
            "intent.outbox.relay.batch.size",
            unit: "{message}",
            description: "Messages claimed by one relay transaction.",
            tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] });
        _duplicates = _meter.CreateCounter<long>(
            "intent.inbox.duplicates",
            unit: "{message}",
            description: "Messages the inbox recognized as already consumed and acknowledged without running the consumer again.");
    }

    public void Delivered(Uri? destination) =>
        _delivered.Add(1, new KeyValuePair<string, object?>(DestinationTag, DestinationName(destination)));

    public void DeliveryFailed(Uri? destination, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _failures.Add(1,
            new KeyValuePair<string, object?>(DestinationTag, DestinationName(destination)),
            new KeyValuePair<string, object?>(ErrorTypeTag, exception.GetType().FullName));
    }

    public void BatchClaimed(int messages) => _batchSize.Record(messages);

    public void DuplicateSkipped(Uri? inputAddress, int count = 1)
    {
        if (count > 0)
        {
            _duplicates.Add(count, new KeyValuePair<string, object?>(DestinationTag, DestinationName(inputAddress)));
        }
    }

    /// <summary>
    /// The queue or exchange name of a MassTransit address (<c>rabbitmq://host/vhost/name?...</c>,
    /// <c>queue:name</c>, <c>exchange:name</c>): the last path segment. Temporary endpoints, whose
    /// names are new for every bus, all become <see cref="TemporaryDestination"/>.
    /// </summary>
    public static string DestinationName(Uri? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.Query.Contains("temporary=true", StringComparison.OrdinalIgnoreCase)
            || address.Query.Contains("autodelete=true", StringComparison.OrdinalIgnoreCase))
        {
            return TemporaryDestination;
        }

        var path = address.IsAbsoluteUri ? address.AbsolutePath : address.OriginalString.Split('?')[0];
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Length == 0 ? "unknown" : Uri.UnescapeDataString(name);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<T>> Observe<T>(IOutboxBacklog backlog, Func<OutboxBacklogSnapshot, T> value)
        where T : struct
    {
        OutboxBacklogSnapshot snapshot;
        try
        {
            snapshot = backlog.Read();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // No reading is better than a wrong one: the series goes missing while the database is unreachable.
            return [];
        }

        return [new Measurement<T>(value(snapshot))];
    }
}
