using Intent.Data.Webhooks;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// The outcome of one claimed delivery, as the delivery loop records it: <see cref="Kind"/>, when the next attempt
/// is due (<see cref="DeliveryOutcomeKind.Retry"/>), when it was decided, the attempt itself when one was made, and
/// whether it ends an event for the webhook's run of failures (test events and disabled webhooks do not).
/// </summary>
public sealed record DeliveryOutcome(
    ClaimedDelivery Delivery,
    DeliveryOutcomeKind Kind,
    DateTime At,
    DateTime? NextAttemptAt,
    WebhookAttempt? Attempt,
    bool CountsAgainstWebhook)
{
    public const string DisabledError = "WEBHOOK_DISABLED: The webhook is disabled.";

    /// <summary>The outcome of an attempt made at <paramref name="now"/>: delivered, another attempt after the schedule's wait (or the receiver's <c>Retry-After</c>), or failed for good.</summary>
    public static DeliveryOutcome Of(ClaimedDelivery delivery, WebhookAttempt attempt, WebhookOptions options, DateTime now)
    {
        var counts = delivery.EventType != WebhookEventTypes.Test;
        if (attempt.Outcome == WebhookAttemptOutcome.Delivered)
        {
            return new(delivery, DeliveryOutcomeKind.Delivered, now, null, attempt, counts);
        }

        return attempt.Outcome == WebhookAttemptOutcome.Retryable && options.NextDelay(delivery.Attempt, attempt.RetryAfter) is { } wait
            ? new(delivery, DeliveryOutcomeKind.Retry, now, now + wait, attempt, CountsAgainstWebhook: false)
            : new(delivery, DeliveryOutcomeKind.Failed, now, null, attempt, counts);
    }

    public static DeliveryOutcome Disabled(ClaimedDelivery delivery, DateTime now) =>
        new(delivery, DeliveryOutcomeKind.Disabled, now, null, null, CountsAgainstWebhook: false);

    public static DeliveryOutcome Released(ClaimedDelivery delivery, DateTime now) =>
        new(delivery, DeliveryOutcomeKind.Released, now, null, null, CountsAgainstWebhook: false);

    /// <summary>The kind as stored by the recording statement and shown as the attempts metric's <c>outcome</c>.</summary>
    public string Label => Kind switch
    {
        DeliveryOutcomeKind.Delivered => "delivered",
        DeliveryOutcomeKind.Retry => "retry",
        DeliveryOutcomeKind.Failed => "failed",
        DeliveryOutcomeKind.Disabled => "disabled",
        _ => "released",
    };
}
