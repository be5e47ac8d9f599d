using System.Diagnostics;
using Intent.Contracts.Webhooks;
using Intent.Data;
using Intent.Data.Webhooks;
using Intent.Pipeline.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// Turns an event into one pending delivery per enabled webhook of its organization subscribed to its
/// type (and created before it happened), due at once, with one statement in the consumer-outbox
/// transaction; the commit wakes this worker's <see cref="WebhookDeliveryLoop"/>. The unique (event, webhook)
/// index makes a second fan-out of the same event insert nothing. Each delivery keeps the fan-out's
/// <c>traceparent</c>, so its attempts continue the event's trace.
/// </summary>
public sealed class FanOutWebhookEventConsumer(IntentDbContext db, TimeProvider clock, PipelineMetrics metrics, ILogger<FanOutWebhookEventConsumer> logger)
    : IConsumer<FanOutWebhookEvent>
{
    public async Task Consume(ConsumeContext<FanOutWebhookEvent> context)
    {
        var e = context.Message;
        var now = clock.GetUtcNow().UtcDateTime;
        var traceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;
        var deliveries = await db.Database.SqlQuery<Guid>(
            $"""
            WITH targets AS (
                SELECT w.id FROM webhooks w
                WHERE w.organization_id = {e.OrganizationId} AND w.enabled AND {e.Type} = ANY (w.events) AND w.created_at <= {e.OccurredAt}
            ),
            recorded AS (
                INSERT INTO webhook_events (id, organization_id, type, payload, created_at)
                SELECT {e.EventId}, {e.OrganizationId}, {e.Type}, {e.Payload}, {e.OccurredAt}
                WHERE EXISTS (SELECT 1 FROM targets)
                ON CONFLICT (id) DO NOTHING
            )
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, next_attempt_at, trace_parent, created_at, updated_at)
            SELECT gen_random_uuid(), t.id, {e.EventId}, {e.Type}, {WebhookDeliveryStatus.Pending}, 0, {now}, {traceParent}::text, {now}, {now} FROM targets t
            ON CONFLICT (event_id, webhook_id) DO NOTHING
            RETURNING id AS "Value"
            """).ToListAsync(context.CancellationToken);

        metrics.WebhookDeliveriesQueued(e.Type, deliveries.Count);
        if (deliveries.Count > 0)
        {
            WebhookDeliveryWakeUp.Queued(db);
            logger.LogInformation("Webhook event {EventId} ({EventType}): {Deliveries} deliveries queued", e.EventId, e.Type, deliveries.Count);
        }
    }
}
