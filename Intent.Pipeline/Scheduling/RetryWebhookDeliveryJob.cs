using Intent.Contracts.Webhooks;
using Intent.Data;
using Intent.Data.Webhooks;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intent.Pipeline.Scheduling;

/// <summary>
/// The durable timer of a webhook delivery waiting for its next attempt, like a run's retry timer: when it
/// fires on a delivery still pending after the attempts it was set for, <see cref="DeliverWebhook"/> goes
/// out again through the bus outbox. A delivery made, retried by hand or removed meanwhile is left alone.
/// </summary>
public sealed class RetryWebhookDeliveryJob(IServiceScopeFactory scopes, ILogger<RetryWebhookDeliveryJob> logger) : IJob
{
    public const string Group = "webhook-retries";
    private const string DeliveryIdKey = "deliveryId";
    private const string AttemptsKey = "attempts";

    /// <summary>Sets (or moves) the delivery's timer; one per delivery, so writing it twice is harmless.</summary>
    public static async Task ScheduleAsync(IScheduler scheduler, Guid deliveryId, int attempts, DateTime at, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create<RetryWebhookDeliveryJob>()
            .WithIdentity($"retry-{deliveryId}", Group)
            .UsingJobData(DeliveryIdKey, deliveryId.ToString())
            .UsingJobData(AttemptsKey, attempts)
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity($"retry-{deliveryId}", Group)
            .StartAt(new DateTimeOffset(at, TimeSpan.Zero))
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var deliveryId = Guid.Parse(context.MergedJobDataMap.GetString(DeliveryIdKey)!);
        var attempts = context.MergedJobDataMap.GetInt(AttemptsKey);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await db.WebhookDeliveries.AnyAsync(d => d.Id == deliveryId && d.Status == WebhookDeliveryStatus.Pending && d.Attempts == attempts, cancellationToken))
        {
            logger.LogInformation("Webhook delivery {DeliveryId} no longer waits for attempt {Attempt}; its timer does nothing", deliveryId, attempts + 1);
            return;
        }

        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>()
            .Publish(new DeliverWebhook { DeliveryId = deliveryId, Attempts = attempts }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
