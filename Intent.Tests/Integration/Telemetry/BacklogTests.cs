using System.Net;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>Messages committed but not relayed show in the worker's readiness and in both hosts' metrics.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class BacklogTests
{
    public const string Pending = "intent_outbox_messages_pending";
    public const string OldestAge = "intent_outbox_oldest_message_age_seconds";
    public const string Delivered = "intent_outbox_messages_delivered_total";

    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 40 };

    [Fact]
    public async Task The_worker_is_degraded_while_a_committed_message_waits_too_long_and_ready_again_once_it_is_relayed()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: new Dictionary<string, string?>
        {
            ["Outbox:Relay"] = "false",
            ["Outbox:BacklogAlarmAge"] = "00:00:02",
        });
        using var worker = world.Worker!.CreateClient();
        var idle = await Scrape.MetricsAsync(worker);
        Assert.True(Scrape.Value(idle, Pending) == 0, idle);
        var audience = await world.AudienceAsync(Config);

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();

        var (status, body) = await Eventually.MatchAsync(() => Health.ReadyAsync(worker), h => h.Status == HttpStatusCode.ServiceUnavailable,
            because: "the worker to report the waiting message");
        Assert.Equal("NOT_READY", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("outbox is degraded", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var outbox = Health.Check(body, "outbox");
        Assert.Equal("degraded", outbox.GetProperty("status").GetString());
        Assert.Contains("1 messages wait", outbox.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", Health.Check(body, "masstransit-bus").GetProperty("status").GetString());
        var waiting = await Scrape.MetricsAsync(worker);
        Assert.True(Scrape.Value(waiting, Pending) == 1, waiting);
        Assert.True(Scrape.Value(waiting, OldestAge) >= 2, waiting);
        using var api = world.AnonymousClient();
        var apiMetrics = await Scrape.MetricsAsync(api);
        Assert.Equal(1, Scrape.Value(apiMetrics, Pending));
        Assert.Contains("db_client_operation_duration_seconds", apiMetrics, StringComparison.Ordinal);
        Assert.DoesNotContain("Username=", apiMetrics, StringComparison.Ordinal);

        await using var relay = new IntentHostFactory<global::Intent.Worker.Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Intent"] = world.Database.ConnectionString,
            ["Outbox:Relay"] = "true",
        });
        using var relayClient = relay.CreateClient();

        Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());
        (status, body) = await Eventually.MatchAsync(() => Health.ReadyAsync(worker), h => h.Status == HttpStatusCode.OK,
            because: "the worker to be ready once the backlog is relayed");
        Assert.Equal("healthy", Health.Check(body, "outbox").GetProperty("status").GetString());
        var drained = await Eventually.MatchAsync(() => Scrape.MetricsAsync(worker), text => Scrape.Value(text, Pending) == 0,
            because: "the pending gauge to fall to zero");
        Assert.Equal(0, Scrape.Value(drained, OldestAge));
        var relayed = await Scrape.MetricsAsync(relayClient);
        Assert.True(Scrape.Value(relayed, Delivered, "messaging_destination_name=\"Intent.Contracts.Runs:MaterializeAudienceRun\"") >= 1, relayed);
        Assert.Null(Scrape.Value(drained, Delivered, "messaging_destination_name=\"Intent.Contracts.Runs:MaterializeAudienceRun\""));
    }
}
