using Intent.Data;
using Intent.Pipeline.Exports;
using Intent.Pipeline.Runs;
using Intent.Pipeline.Webhooks;
using Quartz;

namespace Intent.Pipeline.Scheduling;

public static class SchedulingRegistration
{
    /// <summary>Scheduler name shared by every worker (and <c>./intent schedule</c>) on one database.</summary>
    public const string SchedulerName = "intent";

    /// <summary>
    /// Quartz with its job store in PostgreSQL, clustered: every worker runs a scheduler and each
    /// trigger fires on exactly one of them; triggers survive restarts.
    /// </summary>
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSchedulerStore(builder.Configuration);
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>
    /// The scheduler, its store and its jobs, without running it: what the worker runs, and what
    /// <c>./intent schedule</c> uses to fire a job on whichever worker the cluster picks.
    /// </summary>
    public static IServiceCollection AddSchedulerStore(this IServiceCollection services, IConfiguration configuration)
    {
        var daily = configuration.GetSection(DailyRunsOptions.SectionName).Get<DailyRunsOptions>() ?? new DailyRunsOptions();
        services.AddOptions<DailyRunsOptions>().BindConfiguration(DailyRunsOptions.SectionName);
        var attempts = configuration.GetSection(RunAttemptOptions.SectionName).Get<RunAttemptOptions>() ?? new RunAttemptOptions();
        services.AddOptions<RunAttemptOptions>().BindConfiguration(RunAttemptOptions.SectionName);
        services.AddWebhookOptions();
        var snapshots = configuration.GetSection(SnapshotRetentionOptions.SectionName).Get<SnapshotRetentionOptions>() ?? new SnapshotRetentionOptions();
        services.AddOptions<SnapshotRetentionOptions>().BindConfiguration(SnapshotRetentionOptions.SectionName)
            .Validate(o => o.SnapshotRetention >= TimeSpan.Zero, "Runs:SnapshotRetention must not be negative")
            .Validate(o => o.SnapshotSweepInterval > TimeSpan.Zero, "Runs:SnapshotSweepInterval must be positive")
            .Validate(o => o.SnapshotSweepBatchSize >= 1, "Runs:SnapshotSweepBatchSize must be at least 1")
            .ValidateOnStart();
        var properties = new Dictionary<string, string?>
        {
            ["quartz.scheduler.instanceName"] = SchedulerName,
            ["quartz.scheduler.instanceId"] = "AUTO",
            // Triggers written by another process (./intent schedule) are noticed within this many milliseconds.
            ["quartz.scheduler.idleWaitTime"] = "5000",
        };
        services.AddQuartz(properties, quartz =>
        {
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(postgres => postgres.ConnectionStringName = IntentDataExtensions.ConnectionStringName);
                store.UseClustering();
                store.UseSystemTextJsonSerializer();
            });

            quartz.AddJob<QueueDailyRunsJob>(job => job.WithIdentity(QueueDailyRunsJob.Key).StoreDurably());
            quartz.AddTrigger(trigger => trigger
                .ForJob(QueueDailyRunsJob.Key)
                .WithIdentity("daily-runs", "runs")
                .WithCronSchedule(daily.Cron, cron => cron.InTimeZone(TimeZoneInfo.FindSystemTimeZoneById(daily.TimeZone))));
            if (daily.OnDataArrival)
            {
                quartz.AddTrigger(trigger => trigger
                    .ForJob(QueueDailyRunsJob.Key)
                    .WithIdentity("daily-runs-on-data-arrival", "runs")
                    .UsingJobData(QueueDailyRunsJob.OnArrivalKey, true)
                    .WithSimpleSchedule(s => s.WithInterval(daily.DataArrivalInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }

            var exports = configuration.GetSection(ExportOptions.SectionName).Get<ExportOptions>()
                ?? new ExportOptions();
            quartz.AddJob<SweepExpiredExportsJob>(job => job.WithIdentity(SweepExpiredExportsJob.Key).StoreDurably());
            quartz.AddTrigger(trigger => trigger
                .ForJob(SweepExpiredExportsJob.Key)
                .WithIdentity("sweep-expired-exports", "exports")
                .WithSimpleSchedule(s => s.WithInterval(exports.SweepInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));

            quartz.AddJob<SweepUnusedSnapshotsJob>(job => job.WithIdentity(SweepUnusedSnapshotsJob.Key).StoreDurably());
            quartz.AddTrigger(trigger => trigger
                .ForJob(SweepUnusedSnapshotsJob.Key)
                .WithIdentity("sweep-unused-snapshots", "runs")
                .WithSimpleSchedule(s => s.WithInterval(snapshots.SnapshotSweepInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));

            var webhooks = configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>() ?? new WebhookOptions();
            quartz.AddJob<SweepWebhookLogJob>(job => job.WithIdentity(SweepWebhookLogJob.Key).StoreDurably());
            quartz.AddTrigger(trigger => trigger
                .ForJob(SweepWebhookLogJob.Key)
                .WithIdentity("sweep-webhook-log", "webhooks")
                .WithSimpleSchedule(s => s.WithInterval(webhooks.SweepInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));

            quartz.AddJob<RecoverRunsJob>(job => job.WithIdentity(RecoverRunsJob.Key).StoreDurably());
            quartz.AddTrigger(trigger => trigger
                .ForJob(RecoverRunsJob.Key)
                .WithIdentity("recover-runs", "runs")
                .WithSimpleSchedule(s => s.WithInterval(attempts.RecoveryInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        return services;
    }
}
