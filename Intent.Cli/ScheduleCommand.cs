using System.CommandLine;
using Intent.Data;
using Intent.Pipeline.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Intent.Cli;

/// <summary><c>schedule run-daily</c>: fires the daily-runs job now, on whichever worker of the cluster takes it.</summary>
public static class ScheduleCommand
{
    public static Command Create(string? connectionString)
    {
        var runDaily = new Command("run-daily", "Fire the daily-runs job now; a running worker queues the runs (see its log).");
        runDaily.SetDatabaseAction(connectionString, (result, database, _) => RunDailyAsync(database, result.InvocationConfiguration.Output));
        return new Command("schedule", "The worker's scheduled jobs.") { runDaily };
    }

    public static async Task<int> RunDailyAsync(string connectionString, TextWriter output)
    {
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
