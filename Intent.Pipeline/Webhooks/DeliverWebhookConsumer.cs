using Intent.Contracts.Webhooks;
using Intent.Data;
using Intent.Data.Webhooks;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Scheduling;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// One attempt of one delivery, in the consumer-outbox transaction: the delivery row is locked
/// (<c>FOR UPDATE SKIP LOCKED</c>) while the event is POSTed, and the attempt is made only while the row
/// is still pending with the attempts the message was sent for. So a second copy of the message, a
/// retry asked meanwhile or a timer firing late finds the row delivered, failed, moved on or locked, and
/// sends nothing: a delivered event is never delivered again. The outcome is recorded with the same
/// guard: delivered; another attempt on a durable timer (network error, timeout, 5xx, 408, 429 with its
/// <c>Retry-After</c>) while the schedule lasts; or failed for good, which counts against the webhook
/// and disables it after <c>Webhooks__DisableAfterFailures</c> such events in a row.
/// </summary>
public sealed class DeliverWebhookConsumer(
    IntentDbContext db,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    IServiceProvider services,
    TimeProvider clock,
    PipelineMetrics metrics,
    ILogger<DeliverWebhookConsumer> logger) : IConsumer<DeliverWebhook>
{
    public async Task Consume(ConsumeContext<DeliverWebhook> context)
    {
        var message = context.Message;
        var delivery = await LockAsync(message.DeliveryId, context.CancellationToken);
        if (delivery is null || delivery.Status != WebhookDeliveryStatus.Pending || delivery.Attempts != message.Attempts)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var test = delivery.EventType == WebhookEventTypes.Test;
        if (!delivery.Enabled && !test)
        {
            await RecordAsync(delivery, WebhookDeliveryStatus.Failed, now, null, null,
                new WebhookAttempt(WebhookAttemptOutcome.Permanent, null, TimeSpan.Zero, null, "WEBHOOK_DISABLED", "The webhook is disabled."),
                countsAgainstWebhook: false, context.CancellationToken);
            return;
        }

        var previous = delivery.PreviousSecretExpiresAt > now ? delivery.PreviousSecret : null;
        var attempt = await sender.SendAsync(
            delivery.Url, WebhookSignatures.MessageId(delivery.EventId), delivery.Payload, delivery.Secret, previous, context.CancellationToken);
        now = clock.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts + 1;

        if (attempt.Outcome == WebhookAttemptOutcome.Delivered)
        {
            await RecordAsync(delivery, WebhookDeliveryStatus.Delivered, now, null, now, attempt, countsAgainstWebhook: !test, context.CancellationToken);
            metrics.WebhookAttempt("delivered", attempt.StatusClass, attempt.Duration);
            return;
        }

        if (attempt.Outcome == WebhookAttemptOutcome.Retryable && options.Value.NextDelay(attempts, attempt.RetryAfter) is { } wait)
        {
            var at = now + wait;
            var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(context.CancellationToken);
            await RetryWebhookDeliveryJob.ScheduleAsync(scheduler, delivery.Id, attempts, at, context.CancellationToken);
            await RecordAsync(delivery, WebhookDeliveryStatus.Pending, now, at, null, attempt, countsAgainstWebhook: false, context.CancellationToken);
            metrics.WebhookAttempt("retry", attempt.StatusClass, attempt.Duration);
            logger.LogInformation("Webhook delivery {DeliveryId} attempt {Attempt}: {Error}; next attempt at {NextAttemptAt:o}",
                delivery.Id, attempts, attempt.LastError, at);
            return;
        }

        await RecordAsync(delivery, WebhookDeliveryStatus.Failed, now, null, null, attempt, countsAgainstWebhook: !test, context.CancellationToken);
        metrics.WebhookAttempt("failed", attempt.StatusClass, attempt.Duration);
        logger.LogWarning("Webhook delivery {DeliveryId} of event {EventId} to webhook {WebhookId} failed after {Attempts} attempts: {Error}",
            delivery.Id, delivery.EventId, delivery.WebhookId, attempts, attempt.LastError);
    }

    private async Task<DeliveryToSend?> LockAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var command = Command(
            """
            SELECT d.id, d.status, d.attempts, d.event_type, e.id, e.payload, w.id, w.url, w.enabled, w.secret, w.previous_secret, w.previous_secret_expires_at,
                   w.consecutive_failures
            FROM webhook_deliveries d
            JOIN webhook_events e ON e.id = d.event_id
            JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.id = @id
            FOR UPDATE OF d SKIP LOCKED
            """);
        command.Parameters.AddWithValue("id", deliveryId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new DeliveryToSend(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetGuid(4), reader.GetString(5),
                reader.GetGuid(6), reader.GetString(7), reader.GetBoolean(8), reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetDateTime(11), reader.GetInt32(12))
            : null;
    }

    /// <summary>The attempt's outcome on the delivery and, when it ends the delivery, on its webhook's run of failures.</summary>
    private async Task RecordAsync(
        DeliveryToSend delivery, string status, DateTime now, DateTime? nextAttemptAt, DateTime? deliveredAt, WebhookAttempt attempt,
        bool countsAgainstWebhook, CancellationToken cancellationToken)
    {
        var madeAttempt = attempt.ErrorCode != "WEBHOOK_DISABLED";
        await using var command = Command(
            """
            UPDATE webhook_deliveries SET
                status = @status, attempts = attempts + @made, next_attempt_at = @next, last_attempt_at = CASE WHEN @made = 1 THEN @now ELSE last_attempt_at END,
                last_response_status = @response, last_duration_ms = @duration, last_error = @error, delivered_at = @delivered, updated_at = @now
            WHERE id = @id AND status = 'pending' AND attempts = @attempts
            """);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("made", madeAttempt ? 1 : 0);
        command.Parameters.AddWithValue("next", (object?)nextAttemptAt ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("response", (object?)attempt.StatusCode ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer;
        command.Parameters.AddWithValue("duration", madeAttempt ? (int)Math.Min(int.MaxValue, attempt.Duration.TotalMilliseconds) : (object)DBNull.Value)
            .NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer;
        command.Parameters.AddWithValue("error", (object?)attempt.LastError ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.AddWithValue("delivered", (object?)deliveredAt ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        command.Parameters.AddWithValue("id", delivery.Id);
        command.Parameters.AddWithValue("attempts", delivery.Attempts);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"Webhook delivery {delivery.Id} changed while it was locked");
        }

        if (!countsAgainstWebhook)
        {
            return;
        }

        if (status == WebhookDeliveryStatus.Delivered)
        {
            if (delivery.ConsecutiveFailures == 0)
            {
                return;
            }

            await db.Database.ExecuteSqlAsync(
                $"UPDATE webhooks SET consecutive_failures = 0 WHERE id = {delivery.WebhookId} AND consecutive_failures <> 0", cancellationToken);
            return;
        }

        var limit = options.Value.DisableAfterFailures;
        var reason = $"Disabled after {limit} events in a row could not be delivered; the last: {attempt.LastError}";
        var disabled = await db.Database.SqlQuery<bool>(
            $"""
            UPDATE webhooks w SET
                consecutive_failures = w.consecutive_failures + 1,
                enabled = w.enabled AND w.consecutive_failures + 1 < {limit},
                disabled_reason = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= {limit} THEN {reason} ELSE w.disabled_reason END,
                disabled_at = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= {limit} THEN {now} ELSE w.disabled_at END,
                updated_at = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= {limit} THEN {now} ELSE w.updated_at END
            FROM (SELECT id, enabled FROM webhooks WHERE id = {delivery.WebhookId} FOR UPDATE) before
            WHERE w.id = before.id
            RETURNING before.enabled AND NOT w.enabled AS "Value"
            """).ToListAsync(cancellationToken);
        if (disabled is [true])
        {
            metrics.WebhookDisabled();
            logger.LogWarning("Webhook {WebhookId} disabled: {Limit} events in a row could not be delivered", delivery.WebhookId, limit);
        }
    }

    private NpgsqlCommand Command(string sql) =>
        new(sql, (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
}
