namespace Intent.Data.Webhooks;

/// <summary>
/// An organization's subscription: the events (<see cref="WebhookEventTypes"/>) it wants POSTed to its
/// URL, signed with its secret (and, for a grace period after a rotation, with the previous one too).
/// </summary>
public sealed class Webhook
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public string Url { get; set; } = "";

    /// <summary>Subscribed event types, in the order of <see cref="WebhookEventTypes.Subscribable"/>.</summary>
    public string[] Events { get; set; } = [];

    public bool Enabled { get; set; } = true;

    public string? Description { get; set; }

    /// <summary><c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public string Secret { get; set; } = "";

    /// <summary>The secret a rotation replaced; it signs too until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }

    public DateTime? PreviousSecretExpiresAt { get; set; }

    /// <summary>Deliveries that failed for good in a row; reaching the limit disables the webhook.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>Why the webhook was disabled, when the worker disabled it; cleared when it is enabled again.</summary>
    public string? DisabledReason { get; set; }

    public DateTime? DisabledAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
