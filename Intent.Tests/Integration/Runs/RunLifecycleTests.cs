using System.Net;
using Intent.Contracts.Runs;
using Intent.Data.Runs;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Messaging.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Runs;

[Collection(IntegrationGroup.Name)]
public sealed class RunLifecycleTests
{
    private static readonly object Config = new
    {
        topicIds = new[] { 1, 2, 3, 4, 5 },
        minScore = 40,
        maxScore = 95,
        minTopicOverlap = 2,
        filters = new Dictionary<string, object> { ["contact.hasBusinessEmail"] = true },
    };

    // The same question asked of the seeded data directly, without the materializer's code.
    private const string CandidatesSql = """
        SELECT count(*) FROM (
            SELECT person_id FROM intent_scores
            WHERE data_date = '2001-01-02' AND topic_id IN (1, 2, 3, 4, 5) AND score >= 40 AND score <= 95
            GROUP BY person_id HAVING count(DISTINCT topic_id) >= 2) c
        """;

    private const string ResultsSql = """
        SELECT count(*) FROM (
            SELECT person_id FROM intent_scores
            WHERE data_date = '2001-01-02' AND topic_id IN (1, 2, 3, 4, 5) AND score >= 40 AND score <= 95
            GROUP BY person_id HAVING count(DISTINCT topic_id) >= 2) c
        JOIN people p USING (person_id) WHERE p.business_email IS NOT NULL
        """;

    [Fact]
    public async Task A_run_goes_from_queued_through_running_to_completed_with_counts_matching_SQL()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(Config);

        var queued = await world.QueueAsync(audience);
        var runId = queued.GetProperty("id").GetGuid();
        Assert.Equal("queued", queued.GetProperty("status").GetString());
        var run = await world.WaitForStatusAsync(audience, runId, "completed", "failed");

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("attempts").GetInt32());
        Assert.Equal(await world.Database.ScalarAsync<long>(CandidatesSql), run.GetProperty("candidateCount").GetInt64());
        var results = await world.Database.ScalarAsync<long>(ResultsSql);
        Assert.True(results > 10, "the seeded data should give a meaningful audience");
        Assert.Equal(results, run.GetProperty("resultCount").GetInt64());
        Assert.True(run.GetProperty("startedAt").GetDateTime() <= run.GetProperty("completedAt").GetDateTime());

        var (response, page) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/results?limit=20&offset=0");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(results, page.Data().GetProperty("total").GetInt64());
        var people = page.Data().GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(20, people.Count);
        var scores = people.Select(p => p.GetProperty("intent").GetProperty("score").GetInt32()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(people, p =>
        {
            Assert.NotNull(p.GetProperty("businessEmail").GetString());
            Assert.InRange(p.GetProperty("intent").GetProperty("score").GetInt32(), 40, 95);
            Assert.True(p.GetProperty("intent").GetProperty("topicOverlap").GetInt32() >= 2);
            Assert.Equal(p.GetProperty("intent").GetProperty("topicOverlap").GetInt32(), p.GetProperty("intent").GetProperty("matchedTopics").GetArrayLength());
        });

        var (_, refreshed) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}");
        Assert.Equal(results, refreshed.Data().GetProperty("audienceSize").GetInt64());
    }

    [Fact]
    public async Task A_run_of_an_already_materialized_key_reuses_the_snapshot_and_a_duplicate_message_changes_nothing()
    {
        await using var world = await RunsWorld.CreateAsync();
        var first = await world.AudienceAsync(Config, "first");
        var second = await world.AudienceAsync(Config, "second");

        var firstRun = await world.WaitForStatusAsync(first, (await world.QueueAsync(first)).GetProperty("id").GetGuid(), "completed");
        var secondRun = await world.WaitForStatusAsync(second, (await world.QueueAsync(second)).GetProperty("id").GetGuid(), "completed");

        Assert.Equal(firstRun.GetProperty("resultKey").GetString(), secondRun.GetProperty("resultKey").GetString());
        Assert.Equal(firstRun.GetProperty("resultCount").GetInt64(), secondRun.GetProperty("resultCount").GetInt64());
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_snapshots"));
        Assert.Equal(firstRun.GetProperty("resultCount").GetInt64(), await world.Database.ScalarAsync<long>($"SELECT count(*) FROM {SnapshotPages.Members()}"));

        var runId = secondRun.GetProperty("id").GetGuid();
        var bus = world.Worker!.Services.GetRequiredService<IBus>();
        await bus.Publish(new MaterializeAudienceRun { RunId = runId, AudienceId = second, OrganizationId = world.OrganizationId });
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = await world.RunAsync(second, runId);
        Assert.Equal("completed", after.GetProperty("status").GetString());
        Assert.Equal(1, after.GetProperty("attempts").GetInt32());
        Assert.Equal(secondRun.GetProperty("updatedAt").GetDateTime(), after.GetProperty("updatedAt").GetDateTime());
    }

    [Fact]
    public async Task A_cancel_racing_the_worker_either_wins_for_good_or_loses_to_a_completed_run()
    {
        await using var world = await RunsWorld.CreateAsync();
        var outcomes = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var audience = await world.AudienceAsync(Config, $"race {i}");
            var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
            var (cancel, _) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{runId}");

            if (cancel.StatusCode == HttpStatusCode.OK)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var run = await world.RunAsync(audience, runId);
                Assert.Equal("cancelled", run.GetProperty("status").GetString());
                Assert.Equal(0, run.GetProperty("attempts").GetInt32());
                outcomes.Add("cancelled");
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
                Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());
                outcomes.Add("completed");
            }
        }

        Assert.NotEmpty(outcomes);
    }

    [Fact]
    public async Task Without_complete_intent_data_the_run_fails_with_NO_INTENT_DATA()
    {
        await using var world = await RunsWorld.CreateAsync(seeded: false);
        await using (var db = world.Database.CreateDbContext())
        {
            await TestData.TopicOneAsync(db);
        }

        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } });
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await world.WaitForStatusAsync(audience, runId, "failed", "completed");

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("NO_INTENT_DATA", run.GetProperty("errorCode").GetString());
        var (results, error) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/results");
        Assert.Equal(HttpStatusCode.Conflict, results.StatusCode);
        Assert.Equal("RUN_RESULTS_UNAVAILABLE", error.ErrorCode());
    }

    [Fact]
    public async Task Runs_queued_while_RabbitMQ_is_down_complete_after_it_returns()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audiences = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            audiences.Add(await world.AudienceAsync(Config, $"outage {i}"));
        }

        var runs = new List<(Guid Audience, Guid Run)>();
        await RabbitMqControl.StopAsync();
        try
        {
            foreach (var audience in audiences)
            {
                runs.Add((audience, (await world.QueueAsync(audience)).GetProperty("id").GetGuid()));
            }

            await using var db = world.Database.CreateDbContext();
            Assert.Equal(3, await db.Set<Intent.Messaging.Outbox.OutboxMessage>().CountAsync());
        }
        finally
        {
            await RabbitMqControl.StartAsync();
        }

        foreach (var (audience, run) in runs)
        {
            Assert.Equal("completed", (await world.WaitForStatusAsync(audience, run, "completed", "failed")).GetProperty("status").GetString());
        }
    }
}
