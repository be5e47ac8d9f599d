using Intent.Data;
using Intent.Pipeline.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Intent.Cli;

/// <summary><c>schedule run-daily</c>: fires the daily-runs job now, on whichever worker of the cluster takes it.</summary>
public static class ScheduleCommand
{
    public static async Task<int> RunAsync(string connectionString, string[] args, TextWriter output)
    {
        if (args is not ["run-daily"])
        {
            throw new ArgumentException("usage: schedule run-daily");
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{IntentDataExtensions.ConnectionStringName}"] = connectionString })
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSchedulerStore(configuration);
        await using var provider = services.BuildServiceProvider();

        // A scheduler that never starts: it only writes the trigger; a running worker fires it.
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(QueueDailyRunsJob.Key);
        await scheduler.Shutdown(waitForJobsToComplete: false);
        await output.WriteLineAsync("daily runs job triggered; a running worker queues the runs (see its log)");
        return 0;
    }
}
