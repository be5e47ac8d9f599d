using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Pipeline.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intent.Pipeline.Scheduling;

/// <summary>
/// The durable timer of a run waiting for its next attempt: when it fires, and the run is still queued
/// after the attempt the timer was set for, <see cref="MaterializeAudienceRun"/> goes out again through
/// the bus outbox. A run cancelled (or already retried) meanwhile is left alone.
/// </summary>
public sealed class RetryRunJob(IServiceScopeFactory scopes, ILogger<RetryRunJob> logger) : IJob
{
    public const string Group = "run-retries";
    private const string RunIdKey = "runId";
    private const string AttemptsKey = "attempts";

    /// <summary>Sets (or moves) the run's timer; one per run, so writing it twice is harmless.</summary>
    public static async Task ScheduleAsync(IScheduler scheduler, Guid runId, int attempts, DateTime at, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create<RetryRunJob>()
            .WithIdentity($"retry-{runId}", Group)
            .UsingJobData(RunIdKey, runId.ToString())
            .UsingJobData(AttemptsKey, attempts)
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity($"retry-{runId}", Group)
            .StartAt(new DateTimeOffset(at, TimeSpan.Zero))
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var runId = Guid.Parse(context.MergedJobDataMap.GetString(RunIdKey)!);
        var attempts = context.MergedJobDataMap.GetInt(AttemptsKey);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var run = await db.AudienceRuns.AsNoTracking()
            .Where(r => r.CorrelationId == runId && r.Status == RunStatus.Queued)
            .Where(RunAttempts.IsCurrentAttempt(attempts))
            .Select(r => new { r.AudienceId, r.OrganizationId })
            .SingleOrDefaultAsync(cancellationToken);
        if (run is null)
        {
            logger.LogInformation("Run {RunId} no longer waits for attempt {Attempt}; its timer does nothing", runId, attempts + 1);
            return;
        }

        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>()
            .Publish(new MaterializeAudienceRun { RunId = runId, AudienceId = run.AudienceId, OrganizationId = run.OrganizationId }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Run {RunId}: attempt {Attempt} queued", runId, attempts + 1);
    }
}
