using System.Text.Json.Serialization;
using Intent.Data.Webhooks;
using Intent.Pipeline.Runs;
using Intent.Pipeline.Webhooks;

namespace Intent.Api.Webhooks;

/// <summary>
/// A webhook. <c>secret</c> appears only in the answers to create and rotate-secret: it is shown once.
/// <c>disabledReason</c> says why the worker disabled it (too many failed deliveries in a row).
/// </summary>
public sealed record WebhookResponse(
    Guid Id,
    Guid OrganizationId,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? Description,
    int ConsecutiveFailures,
    string? DisabledReason,
    DateTime? DisabledAt,
    DateTime? PreviousSecretExpiresAt,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null)
{
    public static WebhookResponse From(Webhook w, DateTime now, bool withSecret = false) => new(
        w.Id, w.OrganizationId, w.Url, w.Events, w.Enabled, w.Description, w.ConsecutiveFailures, w.DisabledReason, Stored(w.DisabledAt),
        w.PreviousSecretExpiresAt > now ? Stored(w.PreviousSecretExpiresAt) : null, RunResponse.Stored(w.CreatedAt), RunResponse.Stored(w.UpdatedAt),
        withSecret ? w.Secret : null);

    private static DateTime? Stored(DateTime? time) => time is { } t ? RunResponse.Stored(t) : null;
}

/// <summary>
/// One event on its way to one webhook: <c>webhookMessageId</c> is the <c>webhook-id</c> header the receiver
/// gets (the same on every attempt); <c>lastError</c> a code and a sentence of ours, never the receiver's answer.
/// </summary>
public sealed record WebhookDeliveryResponse(
    Guid Id,
    Guid WebhookId,
    Guid EventId,
    string EventType,
    string WebhookMessageId,
    string Status,
    int Attempts,
    int? LastResponseStatus,
    int? LastDurationMs,
    string? LastError,
    DateTime? LastAttemptAt,
    DateTime? NextAttemptAt,
    DateTime? DeliveredAt,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static WebhookDeliveryResponse From(WebhookDelivery d) => new(
        d.Id, d.WebhookId, d.EventId, d.EventType, WebhookSignatures.MessageId(d.EventId), d.Status, d.Attempts, d.LastResponseStatus, d.LastDurationMs,
        d.LastError, Stored(d.LastAttemptAt), d.Status == WebhookDeliveryStatus.Pending ? Stored(d.NextAttemptAt) : null, Stored(d.DeliveredAt),
        RunResponse.Stored(d.CreatedAt), RunResponse.Stored(d.UpdatedAt));

    private static DateTime? Stored(DateTime? time) => time is { } t ? RunResponse.Stored(t) : null;
}
