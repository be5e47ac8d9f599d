namespace Intent.Data.Webhooks;

/// <summary>One event on its way to one webhook: the delivery log's row, one per event and webhook.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }

    public Guid WebhookId { get; set; }

    public Guid EventId { get; set; }

    public string EventType { get; set; } = "";

    /// <summary><see cref="WebhookDeliveryStatus"/>.</summary>
    public string Status { get; set; } = WebhookDeliveryStatus.Pending;

    /// <summary>Attempts whose outcome is recorded; while pending, the timer (<see cref="WebhookDueDelivery.Attempts"/>) also counts one under way.</summary>
    public int Attempts { get; set; }

    /// <summary>When a pending delivery's next attempt is due, as shown; the timer itself is its <see cref="WebhookDueDelivery"/>.</summary>
    public DateTime? NextAttemptAt { get; set; }

    /// <summary>The W3C <c>traceparent</c> of the fan-out that queued the delivery: each attempt's span continues that trace.</summary>
    public string? TraceParent { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    /// <summary>HTTP status of the last attempt's answer; null when none came (network error, timeout, refused target).</summary>
    public int? LastResponseStatus { get; set; }

    public int? LastDurationMs { get; set; }

    /// <summary>A code and a sentence of our own about the last failed attempt; never the receiver's answer.</summary>
    public string? LastError { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
