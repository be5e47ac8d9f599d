using System.Text.Json;
using Intent.Contracts.Webhooks;
using Intent.Data.Runs;
using static Intent.Tests.Unit.Runs.RunMessages;

namespace Intent.Tests.Unit.Runs;

/// <summary>The saga writes the webhook event of each status it enters, with the run as the API shows it, when someone listens.</summary>
public sealed class RunSagaWebhookEventsTests
{
    [Fact]
    public async Task Starting_then_completing_a_run_publishes_run_started_then_run_completed_with_the_run_in_each_status()
    {
        await using var world = await RunSagaWorld.StartAsync();
        world.Database.SubscribedToWebhooks = true;
        var id = await world.SeedAsync(RunStatus.Queued, r => r.ResultKey = new string('a', 64));

        await world.DeliverAsync(Materialize(id));
        await world.DeliverAsync(Materialized(id, attempt: 1, candidates: 120, results: 42));

        var events = world.Published<FanOutWebhookEvent>();
        Assert.Equal(["run.started", "run.completed"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(id, e.RunId));
        Assert.NotEqual(events[0].EventId, events[1].EventId);
        var started = JsonDocument.Parse(events[0].Payload).RootElement;
        Assert.Equal("run.started", started.GetProperty("type").GetString());
        Assert.Equal("running", started.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal(1, started.GetProperty("data").GetProperty("attempts").GetInt32());
        var completed = JsonDocument.Parse(events[1].Payload).RootElement.GetProperty("data");
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(42, completed.GetProperty("resultCount").GetInt64());
        Assert.Equal(id, completed.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_run_completed_from_an_existing_snapshot_publishes_run_completed_only()
    {
        await using var world = await RunSagaWorld.StartAsync();
        world.Database.SubscribedToWebhooks = true;
        world.Database.Snapshot = (CandidateCount: 9, ResultCount: 3);
        var id = await world.SeedAsync(RunStatus.Queued, r => r.ResultKey = new string('b', 64));

        await world.DeliverAsync(Materialize(id));

        Assert.Equal(["run.completed"], world.Published<FanOutWebhookEvent>().Select(e => e.Type));
    }

    [Fact]
    public async Task A_permanent_failure_publishes_run_failed_and_a_retry_publishes_nothing()
    {
        await using var world = await RunSagaWorld.StartAsync();
        world.Database.SubscribedToWebhooks = true;
        var retried = await world.SeedAsync(RunStatus.Running, r => r.Attempts = 1);
        var failed = await world.SeedAsync(RunStatus.Running, r => r.Attempts = 1);

        await world.DeliverAsync(Failed(retried, attempt: 1, retryable: true));
        await world.DeliverAsync(Failed(failed, attempt: 1, retryable: false, code: "NO_INTENT_DATA"));

        var published = Assert.Single(world.Published<FanOutWebhookEvent>());
        Assert.Equal("run.failed", published.Type);
        Assert.Equal(failed, published.RunId);
        Assert.Equal("NO_INTENT_DATA", JsonDocument.Parse(published.Payload).RootElement.GetProperty("data").GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Nothing_is_published_when_no_webhook_listens()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Queued, r => r.ResultKey = new string('c', 64));

        await world.DeliverAsync(Materialize(id));
        await world.DeliverAsync(Materialized(id, attempt: 1));

        Assert.Equal(RunStatus.Completed, (await world.RunAsync(id)).Status);
        Assert.Empty(world.Published<FanOutWebhookEvent>());
    }
}
