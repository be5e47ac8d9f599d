namespace Intent.Data.Webhooks;

/// <summary>Statuses of a webhook delivery, as stored and shown: pending → delivered, or failed for good.</summary>
public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public static readonly string[] All = [Pending, Delivered, Failed];
}
