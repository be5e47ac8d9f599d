using System.Net;
using System.Text.Json;
using Intent.Tests.Integration.Api;
using Microsoft.EntityFrameworkCore;

namespace Intent.Tests.Integration.Runs;

[Collection(IntegrationGroup.Name)]
public sealed class QueueRunTests
{
    private static readonly string[] ContractFields =
    [
        "id", "audienceId", "organizationId", "status", "runType", "configHash", "dataDate", "resultKey", "candidateCount", "resultCount",
        "attempts", "nextAttemptAt", "idempotencyKey", "errorCode", "errorMessage", "startedAt", "completedAt", "cancelledAt",
        "readyEmailSentAt", "readyEmailExportId", "readyEmailError", "createdAt", "updatedAt",
    ];

    [Fact]
    public async Task A_queued_run_has_every_field_of_the_contract_pinned_config_and_date_and_no_attempts()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2 } });

        var (response, body) = await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = body.Data();
        Assert.Equal(ContractFields.Order(), run.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("queued", run.GetProperty("status").GetString());
        Assert.Equal("manual", run.GetProperty("runType").GetString());
        Assert.Equal(0, run.GetProperty("attempts").GetInt32());
        Assert.Equal(RunsWorld.DataDate, run.GetProperty("dataDate").GetString());
        Assert.Matches("^[0-9a-f]{64}$", run.GetProperty("resultKey").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("startedAt").ValueKind);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("meta").GetProperty("request_id").GetString()));

        var hash = run.GetProperty("configHash").GetString();
        await world.Client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{audience}", new { config = new { topicIds = new[] { 3 } } });
        var again = await world.RunAsync(audience, run.GetProperty("id").GetGuid());
        Assert.Equal(hash, again.GetProperty("configHash").GetString());
    }

    [Fact]
    public async Task A_queued_run_wakes_the_workers_relay_long_before_its_poll()
    {
        // The worker's relay would next look in 5 minutes: only the API's wake-up after its commit starts the run in time.
        await using var world = await RunsWorld.CreateAsync(workerSettings: new Dictionary<string, string?> { ["Outbox:PollInterval"] = "00:05:00" });
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2 } });
        await Task.Delay(TimeSpan.FromSeconds(1));

        var (response, body) = await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runId = body.Data().GetProperty("id").GetGuid();
        await Eventually.MatchAsync(async () => (await world.RunAsync(audience, runId)).GetProperty("status").GetString(), status => status != "queued",
            TimeSpan.FromSeconds(30), "the worker to pick the run up after the API's wake-up");
    }

    [Theory]
    [InlineData("""{"runType": "daily"}""")]
    [InlineData("""{"runType": "preview"}""")]
    [InlineData("""{"runType": "weekly"}""")]
    public async Task Only_manual_runs_can_be_queued_through_the_api(string body)
    {
        await using var world = await RunsWorld.CreateAsync(seeded: false, worker: false);
        var audience = await SeedlessAudienceAsync(world);

        var (response, error) = await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", error.ErrorCode());
        Assert.Contains("manual runs only", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await using var db = world.Database.CreateDbContext();
        Assert.Equal(0, await db.AudienceRuns.CountAsync());
        Assert.Equal(0, await db.Set<Intent.Messaging.Outbox.OutboxMessage>().CountAsync());
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("k")]
    public async Task An_idempotency_key_must_be_1_to_120_characters(string key)
    {
        await using var world = await RunsWorld.CreateAsync(seeded: false, worker: false);
        var audience = await SeedlessAudienceAsync(world);
        var header = key == "k" ? new string('k', 121) : key;

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/intent/audiences/{audience}/runs", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", header);
        using var response = await world.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_key_returns_one_run_and_on_another_audience_answers_422()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var first = await world.AudienceAsync(new { topicIds = new[] { 1 } }, "first");
        var second = await world.AudienceAsync(new { topicIds = new[] { 2 } }, "second");

        var run = await world.QueueAsync(first, "key-1");
        var again = await world.QueueAsync(first, "key-1");
        Assert.Equal(run.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid());
        Assert.Equal("key-1", again.GetProperty("idempotencyKey").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/intent/audiences/{second}/runs", UriKind.Relative));
        request.Headers.Add("Idempotency-Key", "key-1");
        using var response = await world.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("IDEMPOTENCY_KEY_REUSED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_queued_in_one_round_trip_carries_its_audiences_config_the_latest_date_and_the_result_key_of_both()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2 } });

        var run = await world.QueueAsync(audience, "first-key");

        await using var db = world.Database.CreateDbContext();
        var stored = await db.Audiences.AsNoTracking().SingleAsync(a => a.Id == audience);
        Assert.Equal(stored.ConfigHash, run.GetProperty("configHash").GetString());
        Assert.Equal(RunsWorld.DataDate, run.GetProperty("dataDate").GetString());
        Assert.Equal(
            Intent.Data.Runs.ResultKeys.For(stored.OrganizationId, stored.ConfigHash, DateOnly.Parse(RunsWorld.DataDate, System.Globalization.CultureInfo.InvariantCulture)),
            run.GetProperty("resultKey").GetString());
        var row = await db.AudienceRuns.AsNoTracking().SingleAsync(r => r.CorrelationId == run.GetProperty("id").GetGuid());
        Assert.Equal(stored.Config, row.Config);
        Assert.Equal("first-key", row.IdempotencyKey);
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_message"));
    }

    [Fact]
    public async Task Requests_that_queue_no_run_write_no_message()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } }, "first");
        var other = await world.AudienceAsync(new { topicIds = new[] { 2 } }, "second");
        var (stranger, _) = await world.NewCallerAsync("stranger");
        await world.QueueAsync(audience, "key-1");

        // The run in flight answered again, the key reused on another audience, another organization's audience.
        var (inFlight, _) = await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs");
        using var reused = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/intent/audiences/{other}/runs", UriKind.Relative));
        reused.Headers.Add("Idempotency-Key", "key-1");
        using var reusedResponse = await world.Client.SendAsync(reused);
        using var foreign = await stranger.PostAsync(new Uri($"/v1/intent/audiences/{audience}/runs", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, inFlight.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reusedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        await using var db = world.Database.CreateDbContext();
        Assert.Equal(1, await db.AudienceRuns.CountAsync());
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_message"));
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_state"));
    }

    [Fact]
    public async Task Fifty_concurrent_requests_on_one_audience_leave_one_run_in_flight()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } });

        var runs = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => world.QueueAsync(audience)));

        Assert.Single(runs.Select(r => r.GetProperty("id").GetGuid()).Distinct());
        await using var db = world.Database.CreateDbContext();
        Assert.Equal(1, await db.AudienceRuns.CountAsync(r => r.AudienceId == audience));

        // The losers' run inserts failed, and with them their outbox rows: one message for the one run.
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_message"));
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_state"));
    }

    [Fact]
    public async Task Fifty_concurrent_requests_with_one_key_create_one_run()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } });

        var runs = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => world.QueueAsync(audience, "same-key")));

        Assert.Single(runs.Select(r => r.GetProperty("id").GetGuid()).Distinct());
        await using var db = world.Database.CreateDbContext();
        Assert.Equal(1, await db.AudienceRuns.CountAsync());
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_message"));
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_cancelled_once_and_hidden_from_other_organizations()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } });
        var run = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();

        var (resultsResponse, pending) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{run}/results");
        Assert.Equal(HttpStatusCode.Accepted, resultsResponse.StatusCode);
        Assert.Equal("queued", pending.Data().GetProperty("state").GetString());
        Assert.Equal(0, pending.Data().GetProperty("total").GetInt64());

        var (cancelResponse, cancelled) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{run}");
        Assert.Equal(HttpStatusCode.OK, cancelResponse.StatusCode);
        Assert.Equal("cancelled", cancelled.Data().GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, cancelled.Data().GetProperty("cancelledAt").ValueKind);

        var (again, conflict) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{run}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("RUN_NOT_CANCELLABLE", conflict.ErrorCode());
        var (noResults, _) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{run}/results");
        Assert.Equal(HttpStatusCode.Conflict, noResults.StatusCode);

        var newer = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var (_, list) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs?limit=10");
        Assert.Equal([newer, run], list.Data().EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        foreach (var limit in new[] { 0, 101 })
        {
            var (bad, _) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs?limit={limit}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var (stranger, _) = await world.NewCallerAsync("stranger");
        foreach (var path in new[] { $"/v1/intent/audiences/{audience}/runs", $"/v1/intent/audiences/{audience}/runs/{run}" })
        {
            var (response, error) = await stranger.SendAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("NOT_FOUND", error.ErrorCode());
        }

        var (post, _) = await stranger.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs");
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }

    private static async Task<Guid> SeedlessAudienceAsync(RunsWorld world)
    {
        await using (var db = world.Database.CreateDbContext())
        {
            await TestData.TopicOneAsync(db);
        }

        return await world.AudienceAsync(new { topicIds = new[] { 1 } });
    }
}
