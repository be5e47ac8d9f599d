using Intent.Data;
using Intent.Pipeline.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Intent.Pipeline.Scheduling;

/// <summary>
/// Keeps the webhook delivery log to <c>Webhooks:DeliveryRetention</c>: events older than that whose
/// deliveries are all over are deleted with their deliveries (cascade), <c>Webhooks:SweepBatchSize</c>
/// events per transaction, oldest first.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SweepWebhookLogJob(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, ILogger<SweepWebhookLogJob> logger) : IJob
{
    public static readonly JobKey Key = new("sweep-webhook-log", "webhooks");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        long removed = 0;
        while (true)
        {
            var batch = await db.Database.ExecuteSqlAsync(
                $"""
                DELETE FROM webhook_events
                WHERE id IN (
                    SELECT e.id FROM webhook_events e
                    WHERE e.created_at < now() - {settings.DeliveryRetention}
                      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
                    ORDER BY e.created_at
                    LIMIT {settings.SweepBatchSize}
                    FOR UPDATE SKIP LOCKED)
                """, cancellationToken);
            removed += batch;
            if (batch < settings.SweepBatchSize)
            {
                break;
            }
        }

        if (removed > 0)
        {
            logger.LogInformation("Webhook log: {Events} events older than {Retention} removed with their deliveries", removed, settings.DeliveryRetention);
        }
    }
}
