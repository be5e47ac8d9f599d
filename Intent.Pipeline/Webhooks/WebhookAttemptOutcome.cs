namespace Intent.Pipeline.Webhooks;

/// <summary>How an attempt ended: delivered (2xx), worth another attempt (network error, timeout, 5xx, 408, 429), or failed for good.</summary>
public enum WebhookAttemptOutcome
{
    Delivered,
    Retryable,
    Permanent,
}
