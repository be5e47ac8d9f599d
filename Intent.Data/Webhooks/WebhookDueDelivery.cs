namespace Intent.Data.Webhooks;

/// <summary>
/// The timer and lease of a pending <see cref="WebhookDelivery"/>: one row while the delivery is pending, removed
/// when it is delivered or fails for good. The delivery loop claims from this small table, so the delivery log's
/// row carries no index over what an attempt changes and its updates stay HOT.
/// </summary>
public sealed class WebhookDueDelivery
{
    public Guid DeliveryId { get; set; }

    /// <summary>When the next attempt is due: the durable timer the delivery loop claims by.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>
    /// The lease of the attempt a delivery loop claimed: until then no other loop claims the delivery; once it
    /// passes (the loop died), the delivery is claimed again. Null when no attempt is under way.
    /// </summary>
    public DateTime? ClaimedUntil { get; set; }

    /// <summary>
    /// Attempts made, counting the one under way: a claim counts its attempt here, so the delivery log's row is left
    /// alone until the outcome is recorded. Null until the first claim since this timer was written: then the log's
    /// <see cref="WebhookDelivery.Attempts"/> is the count.
    /// </summary>
    public int? Attempts { get; set; }
}
