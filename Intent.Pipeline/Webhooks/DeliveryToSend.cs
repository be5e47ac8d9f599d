namespace Intent.Pipeline.Webhooks;

/// <summary>A pending delivery locked for its attempt, with what the attempt needs of its event and webhook.</summary>
public sealed record DeliveryToSend(
    Guid Id,
    string Status,
    int Attempts,
    string EventType,
    Guid EventId,
    string Payload,
    Guid WebhookId,
    string Url,
    bool Enabled,
    string Secret,
    string? PreviousSecret,
    DateTime? PreviousSecretExpiresAt,
    int ConsecutiveFailures);
