using Intent.Data.Runs;
using Intent.Pipeline.Scheduling;
using Intent.Tests.Integration.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Intent.Tests.Integration.Scheduling;

[Collection(IntegrationGroup.Name)]
public sealed class DailyRunsTests
{
    [Fact]
    public async Task Two_clustered_workers_give_each_active_audience_one_daily_run_per_date()
    {
        await using var world = await RunsWorld.CreateAsync();
        await world.StartWorkerAsync();
        var config = new { topicIds = new[] { 1, 2 } };
        var eligible = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            eligible.Add(await world.AudienceAsync(config, $"daily {i}"));
        }

        var paused = await CreateAsync(world, new { name = "paused", status = "paused", dailyRefreshEnabled = true, config });
        var disabled = await CreateAsync(world, new { name = "disabled", status = "active", dailyRefreshEnabled = false, config });
        var busy = await world.AudienceAsync(config, "busy");
        await using (var db = world.Database.CreateDbContext())
        {
            db.AudienceRuns.Add(new AudienceRun
            {
                CorrelationId = Guid.NewGuid(), AudienceId = busy, OrganizationId = world.OrganizationId, Status = RunStatus.Running,
                RunType = RunType.Manual, Config = "{}", ConfigHash = new string('d', 64), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        // Fire the job on both schedulers at once, twice each: the cluster runs it, the database keeps one run per audience and date.
        var schedulers = await Task.WhenAll(world.Workers.Select(w => w.Services.GetRequiredService<ISchedulerFactory>().GetScheduler().AsTask()));
        await Task.WhenAll(schedulers.SelectMany(s => new[] { s.TriggerJob(QueueDailyRunsJob.Key).AsTask(), s.TriggerJob(QueueDailyRunsJob.Key).AsTask() }));

        await Eventually.MatchAsync(() => DailyRunsAsync(world), runs => runs.Count(r => r.Status == RunStatus.Completed) >= eligible.Count,
            TimeSpan.FromSeconds(60), "every eligible audience's daily run to complete");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var daily = await DailyRunsAsync(world);

        Assert.Equal(eligible.Order(), daily.Select(r => r.AudienceId).Order());
        Assert.All(daily, r => Assert.Equal(new DateOnly(2001, 1, 2), r.DataDate));
        Assert.DoesNotContain(daily, r => r.AudienceId == paused || r.AudienceId == disabled || r.AudienceId == busy);
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM qrtz_cron_triggers WHERE trigger_name = 'daily-runs'"));
    }

    [Fact]
    public async Task The_operator_command_fires_the_daily_job_on_a_running_worker()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(new { topicIds = new[] { 3 } });

        // As an operator runs it: its own process (a scheduler in this process would be the worker's).
        var start = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "intent-cli.dll"));
        start.ArgumentList.Add("schedule");
        start.ArgumentList.Add("run-daily");
        start.Environment["ConnectionStrings__Intent"] = world.Database.ConnectionString;
        using (var cli = System.Diagnostics.Process.Start(start)!)
        {
            var printed = await cli.StandardOutput.ReadToEndAsync();
            var failed = await cli.StandardError.ReadToEndAsync();
            await cli.WaitForExitAsync();
            Assert.True(cli.ExitCode == 0, failed);
            Assert.Contains("triggered", printed, StringComparison.Ordinal);
        }

        var runs = await Eventually.MatchAsync(() => DailyRunsAsync(world), r => r.Any(x => x.Status == RunStatus.Completed), TimeSpan.FromSeconds(60),
            "the daily run to be queued and completed");
        Assert.Equal(audience, Assert.Single(runs).AudienceId);
    }

    [Fact]
    public async Task With_on_data_arrival_a_new_complete_date_gets_its_daily_runs_without_waiting_for_the_cron()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false, workerSettings: new Dictionary<string, string?>
        {
            ["DailyRuns:OnDataArrival"] = "true",
            ["DailyRuns:DataArrivalInterval"] = "00:00:01",
        });
        var audience = await world.AudienceAsync(new { topicIds = new[] { 2 } });
        await world.StartWorkerAsync();

        // The latest complete date has not been handled yet: it counts as arrived.
        await Eventually.MatchAsync(() => DailyRunsAsync(world), r => r.Any(x => x.DataDate == new DateOnly(2001, 1, 2) && x.Status == RunStatus.Completed),
            TimeSpan.FromSeconds(60), "the daily run of the date already there");

        var scores = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(scores, "personId,topicId,score\n1,2,88\n2,2,71\n3,1,55\n");
            using var output = new StringWriter();
            Assert.Equal(0, await Intent.Cli.Import.ImportCommand.RunAsync(world.Database.ConnectionString, ["scores", scores, "--date", "2001-01-03"], output, output));
        }
        finally
        {
            File.Delete(scores);
        }

        var runs = await Eventually.MatchAsync(() => DailyRunsAsync(world),
            r => r.Any(x => x.DataDate == new DateOnly(2001, 1, 3) && x.Status == RunStatus.Completed), TimeSpan.FromSeconds(60),
            "the new date's daily run");
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(audience, r.AudienceId));
        Assert.Equal(2, runs.Single(r => r.DataDate == new DateOnly(2001, 1, 3)).ResultCount);
        Assert.Equal(2L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM daily_run_dates WHERE queued_count = 1"));
    }

    private static async Task<List<AudienceRun>> DailyRunsAsync(RunsWorld world)
    {
        await using var db = world.Database.CreateDbContext();
        return await db.AudienceRuns.AsNoTracking().Where(r => r.RunType == RunType.Daily).ToListAsync();
    }

    private static async Task<Guid> CreateAsync(RunsWorld world, object body)
    {
        var (_, created) = await Api.Json.SendAsync(world.Client, HttpMethod.Post, "/v1/intent/audiences", body);
        return Api.Json.Data(created).GetProperty("id").GetGuid();
    }
}
