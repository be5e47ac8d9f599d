using Intent.Data;
using Quartz;

namespace Intent.Worker.Scheduling;

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
        var daily = builder.Configuration.GetSection(DailyRunsOptions.SectionName).Get<DailyRunsOptions>() ?? new DailyRunsOptions();
        builder.Services.AddOptions<DailyRunsOptions>().BindConfiguration(DailyRunsOptions.SectionName);
        var properties = new Dictionary<string, string?>
        {
            ["quartz.scheduler.instanceName"] = SchedulerName,
            ["quartz.scheduler.instanceId"] = "AUTO",
        };
        builder.Services.AddQuartz(properties, quartz =>
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
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }
}
