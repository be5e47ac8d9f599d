using Intent.Pipeline.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Intent.Tests.Integration.Scheduling;

[Collection(IntegrationGroup.Name)]
public sealed class JobTypesMigrationTests
{
    [Fact]
    public async Task Jobs_stored_by_the_worker_executable_run_from_the_pipeline_library_after_migrating()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using (var db = database.CreateDbContext())
        {
            await db.GetService<IMigrator>().MigrateAsync("AudienceSlotsAndTokenExpiry");
        }

        await database.ExecuteAsync(
            """
            INSERT INTO qrtz_job_details (sched_name, job_name, job_group, job_class_name, is_durable, is_nonconcurrent, is_update_data, requests_recovery)
            VALUES ('intent', 'run-1', 'run-retries', 'Intent.Worker.Scheduling.RetryRunJob, Intent.Worker', false, false, false, true),
                   ('intent', 'daily', 'DEFAULT', 'Intent.Worker.Scheduling.QueueDailyRunsJob, Intent.Worker', true, true, false, true);
            """);
        await using (var db = database.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        var names = await database.ScalarAsync<string[]>("SELECT array_agg(job_class_name ORDER BY job_name) FROM qrtz_job_details");
        Assert.Equal(["Intent.Pipeline.Scheduling.QueueDailyRunsJob, Intent.Pipeline", "Intent.Pipeline.Scheduling.RetryRunJob, Intent.Pipeline"], names);
        Assert.Equal([typeof(QueueDailyRunsJob), typeof(RetryRunJob)], names.Select(n => Type.GetType(n, throwOnError: true)));
    }
}
