using System.Collections.Concurrent;
using Intent.Contracts.Runs;
using Intent.Contracts.Webhooks;
using Intent.Data.Runs;
using Intent.Data.Webhooks;
using Intent.Pipeline.Scheduling;
using Intent.Tests.Integration.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Intent.Tests.Integration.Scheduling;

/// <summary>Daily runs start in batches: those whose snapshot exists complete there, the others go to the run saga.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class DailyRunBatchTests
{
    private static readonly DateOnly DataDate = DateOnly.Parse(RunsWorld.DataDate, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly object Config = new { topicIds = new[] { 1, 2 }, minScore = 60 };

    [Fact]
    public async Task Daily_runs_whose_snapshot_exists_complete_in_a_batch_and_are_announced_once_even_when_the_batch_comes_again()
    {
        var seen = new Seen();
        await using var world = await RunsWorld.CreateAsync(services: services => services.AddConsumeObserver(_ => seen));
        var first = await world.AudienceAsync(Config, "builds the snapshot");
        var manual = (await world.QueueAsync(first)).GetProperty("id").GetGuid();
        var built = await world.WaitForStatusAsync(first, manual, "completed");
        var audiences = new List<Guid> { first };
        for (var i = 0; i < 3; i++)
        {
            audiences.Add(await world.AudienceAsync(Config, $"same configuration {i}"));
        }

        await ListenAsync(world, WebhookEventTypes.RunCompleted);
        await TriggerDailyJobAsync(world);

        var daily = await Eventually.MatchAsync(() => DailyRunsAsync(world), r => r.Count == audiences.Count && r.All(x => x.Status == RunStatus.Completed),
            TimeSpan.FromSeconds(60), "every daily run to complete");
        Assert.Equal(audiences.Order(), daily.Select(r => r.AudienceId).Order());
        foreach (var run in daily)
        {
            Assert.Equal(built.GetProperty("resultKey").GetString(), run.ResultKey);
            Assert.Equal(built.GetProperty("resultCount").GetInt64(), run.ResultCount);
            Assert.Equal(built.GetProperty("candidateCount").GetInt64(), run.CandidateCount);
            Assert.Equal(1, run.Attempts);
            Assert.NotNull(run.StartedAt);
            Assert.NotNull(run.CompletedAt);
            Assert.Null(run.ErrorCode);

            // Completed in its batch: the saga never saw it.
            Assert.Equal(0, seen.Count<MaterializeAudienceRun>(run.CorrelationId));
        }

        await using (var db = world.Database.CreateDbContext())
        {
            var refreshed = await db.Audiences.AsNoTracking().Where(a => audiences.Contains(a.Id)).ToListAsync();
            Assert.All(refreshed, a => Assert.Equal((built.GetProperty("resultCount").GetInt64(), daily.Single(r => r.AudienceId == a.Id).CompletedAt),
                (a.AudienceSize, a.LastRefreshedAt)));
        }

        var metrics = await Telemetry.Scrape.MetricsAsync(world.Worker!.CreateClient());
        Assert.Equal((double?)audiences.Count, Telemetry.Scrape.Value(metrics, "intent_runs_transitions_total", "from=\"queued\",run_type=\"daily\",to=\"completed\""));
        Assert.DoesNotContain(daily[0].CorrelationId.ToString(), metrics, StringComparison.OrdinalIgnoreCase);

        await Eventually.MatchAsync(() => Task.FromResult(daily.All(r => seen.Count<AudienceRunCompleted>(r.CorrelationId) == 1 && seen.RunCompletedEvents(r.CorrelationId) == 1)),
            ok => ok, TimeSpan.FromSeconds(30), "each run's AudienceRunCompleted and run.completed");
        var completed = daily.ToDictionary(r => r.CorrelationId, r => seen.Single<AudienceRunCompleted>(r.CorrelationId));
        Assert.All(daily, r => Assert.Equal(new AudienceRunCompleted { RunId = r.CorrelationId, ResultCount = r.ResultCount, ResultKey = r.ResultKey! }, completed[r.CorrelationId]));

        // The same messages again, as a redelivery would bring them.
        var messages = daily.Select(r => (RunId: r.CorrelationId, MessageId: seen.MessageIdOf<StartDailyRun>(r.CorrelationId))).ToList();
        var queue = await world.Worker!.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:start-daily-runs"));
        foreach (var (runId, messageId) in messages)
        {
            await queue.Send(new StartDailyRun { RunId = runId }, context => context.MessageId = messageId);
        }

        var ids = string.Join(", ", messages.Select(m => $"'{m.MessageId}'"));
        await Eventually.MatchAsync(() => world.Database.ScalarAsync<long>($"SELECT count(*) FROM inbox_state WHERE message_id IN ({ids}) AND receive_count = 2"),
            count => count == messages.Count, TimeSpan.FromSeconds(30), "the batch to come again");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(
            daily.Select(r => (r.CorrelationId, r.Status, r.Attempts, r.CompletedAt, r.UpdatedAt)).Order(),
            (await DailyRunsAsync(world)).Select(r => (r.CorrelationId, r.Status, r.Attempts, r.CompletedAt, r.UpdatedAt)).Order());
        Assert.All(daily, r => Assert.Equal((1, 1), (seen.Count<AudienceRunCompleted>(r.CorrelationId), seen.RunCompletedEvents(r.CorrelationId))));
    }

    [Fact]
    public async Task A_daily_run_whose_snapshot_is_gone_when_its_batch_comes_is_handed_to_the_saga_and_materialized()
    {
        var seen = new Seen();
        await using var world = await RunsWorld.CreateAsync(services: services => services.AddConsumeObserver(_ => seen));
        var audience = await world.AudienceAsync(Config);
        var run = await QueuedDailyRunAsync(world, audience);
        Assert.Equal(0L, await world.Database.ScalarAsync<long>($"SELECT count(*) FROM audience_snapshots WHERE result_key = '{run.ResultKey}'"));

        await SendAsync(world, run.CorrelationId, NewId.NextGuid());

        await world.WaitForStatusAsync(audience, run.CorrelationId, "completed");
        var completed = (await DailyRunsAsync(world)).Single();
        Assert.Equal(1, seen.Count<MaterializeAudienceRun>(run.CorrelationId));
        Assert.Equal(1, seen.Count<MaterializeAudienceSnapshot>(run.CorrelationId));
        Assert.Equal(completed.ResultCount,
            await world.Database.ScalarAsync<long>($"SELECT result_count FROM audience_snapshots WHERE result_key = '{run.ResultKey}'"));
        await Eventually.MatchAsync(() => Task.FromResult(seen.Count<AudienceRunCompleted>(run.CorrelationId)), count => count == 1, TimeSpan.FromSeconds(30),
            "the run's AudienceRunCompleted");
    }

    [Fact]
    public async Task A_cancelled_daily_run_stays_cancelled_when_its_batch_comes()
    {
        var seen = new Seen();
        await using var world = await RunsWorld.CreateAsync(services: services => services.AddConsumeObserver(_ => seen));
        var audience = await world.AudienceAsync(Config);
        var manual = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        await world.WaitForStatusAsync(audience, manual, "completed");
        var run = await QueuedDailyRunAsync(world, audience);
        var (response, _) = await Api.Json.SendAsync(world.Client, HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{run.CorrelationId}");
        Assert.True(response.IsSuccessStatusCode);

        var messageId = NewId.NextGuid();
        await SendAsync(world, run.CorrelationId, messageId);
        await Eventually.MatchAsync(() => world.Database.ScalarAsync<long>($"SELECT count(*) FROM inbox_state WHERE message_id = '{messageId}'"),
            count => count == 1, TimeSpan.FromSeconds(30), "the message to be consumed");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var after = (await DailyRunsAsync(world)).Single();
        Assert.Equal((RunStatus.Cancelled, 0, (DateTime?)null), (after.Status, after.Attempts, after.CompletedAt));
        Assert.Equal(0, seen.Count<MaterializeAudienceRun>(run.CorrelationId));
        Assert.Equal(0, seen.Count<AudienceRunCompleted>(run.CorrelationId));
    }

    private static async Task TriggerDailyJobAsync(RunsWorld world)
    {
        var scheduler = await world.Worker!.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(QueueDailyRunsJob.Key);
    }

    private static async Task SendAsync(RunsWorld world, Guid runId, Guid messageId)
    {
        var queue = await world.Worker!.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:start-daily-runs"));
        await queue.Send(new StartDailyRun { RunId = runId }, context => context.MessageId = messageId);
    }

    /// <summary>A queued daily run as the daily job writes it, without its message.</summary>
    private static async Task<AudienceRun> QueuedDailyRunAsync(RunsWorld world, Guid audienceId)
    {
        await using var db = world.Database.CreateDbContext();
        var audience = await db.Audiences.AsNoTracking().SingleAsync(a => a.Id == audienceId);
        var run = new AudienceRun
        {
            CorrelationId = Guid.CreateVersion7(), AudienceId = audience.Id, OrganizationId = audience.OrganizationId, Status = RunStatus.Queued,
            RunType = RunType.Daily, Config = audience.Config, ConfigHash = audience.ConfigHash, DataDate = DataDate,
            ResultKey = ResultKeys.For(audience.OrganizationId, audience.ConfigHash, DataDate), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };
        db.AudienceRuns.Add(run);
        await db.SaveChangesAsync();
        return run;
    }

    private static async Task ListenAsync(RunsWorld world, string eventType)
    {
        await using var db = world.Database.CreateDbContext();
        db.Webhooks.Add(new Webhook
        {
            Id = Guid.NewGuid(), OrganizationId = world.OrganizationId, Url = "https://hooks.invalid/intent", Events = [eventType],
            Secret = new string('s', 40), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    private static async Task<List<AudienceRun>> DailyRunsAsync(RunsWorld world)
    {
        await using var db = world.Database.CreateDbContext();
        return await db.AudienceRuns.AsNoTracking().Where(r => r.RunType == RunType.Daily).ToListAsync();
    }

    /// <summary>The run messages every consumer of the world's hosts consumed, by run.</summary>
    private sealed class Seen : IConsumeObserver
    {
        private readonly ConcurrentQueue<(Guid RunId, Guid? MessageId, object Message)> _consumed = new();

        public int Count<T>(Guid runId) => _consumed.Count(c => c.RunId == runId && c.Message is T);

        public T Single<T>(Guid runId) => _consumed.Where(c => c.RunId == runId).Select(c => c.Message).OfType<T>().Single();

        public Guid MessageIdOf<T>(Guid runId) => _consumed.Single(c => c.RunId == runId && c.Message is T).MessageId!.Value;

        public int RunCompletedEvents(Guid runId) =>
            _consumed.Count(c => c.RunId == runId && c.Message is FanOutWebhookEvent { Type: WebhookEventTypes.RunCompleted });

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class
        {
            Guid? runId = context.Message switch
            {
                StartDailyRun m => m.RunId,
                MaterializeAudienceRun m => m.RunId,
                MaterializeAudienceSnapshot m => m.RunId,
                AudienceRunCompleted m => m.RunId,
                FanOutWebhookEvent m => m.RunId,
                _ => null,
            };
            if (runId is { } id)
            {
                _consumed.Enqueue((id, context.MessageId, context.Message));
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
