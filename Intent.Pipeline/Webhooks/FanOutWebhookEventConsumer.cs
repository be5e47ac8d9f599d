using System.Diagnostics;
using Intent.Contracts.Webhooks;
using Intent.Data;
using Intent.Data.Webhooks;
using Intent.Pipeline.Diagnostics;
using MassTransit;
using MassTransit.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// Turns a batch of events (each message once, through the inbox) into one pending delivery per enabled webhook of
/// each event's organization subscribed to its type (and created before it happened), due at once, with one
/// statement in the consumer-outbox transaction: the events, the deliveries and their timers; the commit wakes
/// this worker's <see cref="WebhookDeliveryLoop"/> once. The unique (event, webhook) index makes a second fan-out of
/// the same event insert nothing. Each delivery keeps the <c>traceparent</c> of its event's message, so its attempts
/// continue the event's trace.
/// </summary>
public sealed class FanOutWebhookEventConsumer(IntentDbContext db, TimeProvider clock, PipelineMetrics metrics, ILogger<FanOutWebhookEventConsumer> logger)
    : IConsumer<Batch<FanOutWebhookEvent>>
{
    /// <summary>Messages one batch takes at most.</summary>
    public const int MessageLimit = 200;

    public async Task Consume(ConsumeContext<Batch<FanOutWebhookEvent>> context)
    {
        var messages = context.Message.ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        var cancellationToken = context.CancellationToken;
        await using var command = new NpgsqlCommand(
            """
            WITH e AS (
                SELECT DISTINCT ON (id) *
                FROM unnest(@ids, @organizations, @types, @payloads, @occurred, @traces) AS e(id, organization_id, type, payload, occurred_at, trace_parent)
                ORDER BY id
            ),
            targets AS (
                SELECT e.id, e.type, e.trace_parent, w.id AS webhook_id
                FROM e JOIN webhooks w ON w.organization_id = e.organization_id AND w.enabled AND e.type = ANY (w.events) AND w.created_at <= e.occurred_at
            ),
            recorded AS (
                INSERT INTO webhook_events (id, organization_id, type, payload, created_at)
                SELECT e.id, e.organization_id, e.type, e.payload, e.occurred_at FROM e
                WHERE EXISTS (SELECT 1 FROM targets t WHERE t.id = e.id)
                ORDER BY e.id
                ON CONFLICT (id) DO NOTHING
            ),
            queued AS (
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, next_attempt_at, trace_parent, created_at, updated_at)
                SELECT gen_random_uuid(), t.webhook_id, t.id, t.type, @pending, 0, @now, t.trace_parent, @now, @now FROM targets t
                ORDER BY t.id, t.webhook_id
                ON CONFLICT (event_id, webhook_id) DO NOTHING
                RETURNING id, event_type
            ),
            due AS (
                INSERT INTO webhook_due_deliveries (delivery_id, next_attempt_at) SELECT id, @now FROM queued
            )
            SELECT event_type, count(*)::int FROM queued GROUP BY event_type
            """,
            (NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        command.Parameters.Add(Array("ids", NpgsqlDbType.Uuid, messages.Select(m => m.Message.EventId)));
        command.Parameters.Add(Array("organizations", NpgsqlDbType.Uuid, messages.Select(m => m.Message.OrganizationId)));
        command.Parameters.Add(Array("types", NpgsqlDbType.Text, messages.Select(m => m.Message.Type)));
        command.Parameters.Add(Array("payloads", NpgsqlDbType.Text, messages.Select(m => m.Message.Payload)));
        command.Parameters.Add(Array("occurred", NpgsqlDbType.TimestampTz, messages.Select(m => m.Message.OccurredAt)));
        command.Parameters.Add(Array("traces", NpgsqlDbType.Text, messages.Select(TraceParent)));
        command.Parameters.AddWithValue("pending", WebhookDeliveryStatus.Pending);
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });

        var queued = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var count = reader.GetInt32(1);
                metrics.WebhookDeliveriesQueued(reader.GetString(0), count);
                queued += count;
            }
        }

        if (queued > 0)
        {
            WebhookDeliveryWakeUp.Queued(db);
        }

        logger.LogInformation("Webhook events fanned out: {Events} events, {Deliveries} deliveries queued", messages.Count, queued);
    }

    /// <summary>
    /// The span a delivery's attempts continue: this consume's when it is in the event's trace (a batch's consume
    /// continues one of its messages' traces), else the send of the event's message, in the event's own trace.
    /// </summary>
    private static string? TraceParent(ConsumeContext<FanOutWebhookEvent> message)
    {
        var sent = message.Headers.Get<string>(DiagnosticHeaders.DiagnosticId);
        var current = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity : null;
        if (current is not null && (sent is null || (ActivityContext.TryParse(sent, null, out var parent) && parent.TraceId == current.TraceId)))
        {
            return current.Id;
        }

        return sent is not null && ActivityContext.TryParse(sent, null, out _) ? sent : null;
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };
}
