namespace Intent.Pipeline.Webhooks;

/// <summary>
/// A pending delivery a delivery loop claimed for one attempt, with what the attempt needs of its event and
/// webhook. <see cref="Attempt"/> is the attempt's number (the delivery's attempts, counted at the claim): its
/// outcome is recorded only while the delivery still has that many, so a late or repeated outcome changes nothing.
/// </summary>
public sealed record ClaimedDelivery(
    Guid Id,
    int Attempt,
    DateTime ClaimedUntil,
    string EventType,
    string? TraceParent,
    Guid EventId,
    string Payload,
    Guid WebhookId,
    string Url,
    bool Enabled,
    string Secret,
    string? PreviousSecret,
    DateTime? PreviousSecretExpiresAt);
