using System.Net;
using Intent.Tests.Integration.Messaging.Support;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>
/// The broker unreachable between a run's commit and its delivery: the backlog shows, and the run is
/// still one trace once the broker is back. Takes down only the test virtual host (<see cref="RabbitMqControl"/>).
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class OutageTests
{
    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 40 };

    [Fact]
    public async Task A_run_queued_while_the_broker_is_unreachable_shows_in_the_backlog_and_stays_one_trace_when_delivered_late()
    {
        var spans = new SpanCollection();
        await using var world = await RunsWorld.CreateAsync(
            workerSettings: new Dictionary<string, string?> { ["Outbox:BacklogAlarmAge"] = "00:00:02" },
            services: spans.Record);
        using var worker = world.Worker!.CreateClient();
        var audience = await world.AudienceAsync(Config);
        Assert.Equal(0, Scrape.Value(await Scrape.MetricsAsync(worker), BacklogTests.Pending));

        Guid runId;
        await RabbitMqControl.StopAsync();
        try
        {
            runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();

            var waiting = await Eventually.MatchAsync(() => Scrape.MetricsAsync(worker), text => Scrape.Value(text, BacklogTests.Pending) >= 1,
                because: "the pending gauge to rise while the broker is unreachable");
            Assert.True(Scrape.Value(waiting, BacklogTests.Pending) == 1, waiting);
            var (_, body) = await Eventually.MatchAsync(() => Health.ReadyAsync(worker),
                h => h.Status == HttpStatusCode.ServiceUnavailable && Health.Check(h.Body, "outbox").GetProperty("status").GetString() == "degraded",
                because: "the worker to report the waiting message");
            Assert.Contains("waited", Health.Check(body, "outbox").GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal("queued", (await world.RunAsync(audience, runId)).GetProperty("status").GetString());
        }
        finally
        {
            await RabbitMqControl.StartAsync();
        }

        Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());
        await Eventually.MatchAsync(() => Scrape.MetricsAsync(worker), text => Scrape.Value(text, BacklogTests.Pending) == 0,
            because: "the pending gauge to fall back to zero");
        await Eventually.MatchAsync(() => Health.ReadyAsync(worker), h => h.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
            because: "the worker to be ready again");
        await TraceTests.AssertOneTraceAsync(spans, runId);
    }
}
