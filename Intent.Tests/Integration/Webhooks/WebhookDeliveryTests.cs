using System.Net;
using System.Text.Json;
using Intent.Contracts.Runs;
using Intent.Contracts.Webhooks;
using Intent.Data;
using Intent.Pipeline.Webhooks;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>
/// Webhooks end to end on the real PostgreSQL, RabbitMQ, worker and Quartz, to a real Kestrel receiver
/// that checks every signature with the StandardWebhooks verifier.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class WebhookDeliveryTests(WebhooksWorld world) : IClassFixture<WebhooksWorld>
{
    private static readonly string[] RunEvents = ["run.queued", "run.started", "run.completed", "run.failed", "run.cancelled", "export.completed"];

    [Fact]
    public async Task A_runs_events_arrive_once_each_signed_with_the_run_as_the_api_shows_it_even_when_their_messages_come_twice()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        var (webhookId, secret) = await world.WebhookAsync(client, url, RunEvents);
        var audience = await WebhooksWorld.AudienceAsync(client);

        var runId = (await RunsWorld.QueueRunWithAsync(client, audience)).GetProperty("id").GetGuid();
        var run = await Eventually.MatchAsync(() => RunAsync(client, audience, runId), r => r.GetProperty("status").GetString() == "completed",
            TimeSpan.FromSeconds(60), "the run to complete");
        var first = await world.Receiver.WaitForAsync(url, 3);

        // Every message of the run and of its webhook events again, under new message ids (so no inbox recognizes them).
        await using (var db = world.Runs.Database.CreateDbContext())
        {
            var events = await db.WebhookEvents.AsNoTracking().Where(e => e.Payload.Contains(runId.ToString())).ToListAsync();
            Assert.Equal(3, events.Count);
            await PublishAsync(
                [
                    new MaterializeAudienceRun { RunId = runId, AudienceId = audience, OrganizationId = run.GetProperty("organizationId").GetGuid() },
                    .. events.Select(e => new FanOutWebhookEvent
                    {
                        EventId = e.Id, OrganizationId = e.OrganizationId, RunId = runId, Type = e.Type, Payload = e.Payload, OccurredAt = e.CreatedAt,
                    }),
                ]);
        }

        // Every copy relayed, then time for the consumers to do whatever they would.
        await Eventually.MatchAsync(() => world.Runs.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_message"), n => n == 0,
            TimeSpan.FromSeconds(30), "the copies to be relayed");
        await Task.Delay(TimeSpan.FromSeconds(3));
        // Due deliveries go out side by side, so they may arrive in any order (receivers order by the event's timestamp).
        string[] lifecycle = ["run.queued", "run.started", "run.completed"];
        var received = world.Receiver.Received(url).OrderBy(r => Array.IndexOf(lifecycle, r.Type)).ToList();
        Assert.Equal(lifecycle, received.Select(r => r.Type));
        Assert.Equal(first.Select(r => r.MessageId).Order(), received.Select(r => r.MessageId).Order());
        Assert.Equal(3, received.Select(r => r.MessageId).Distinct().Count());
        Assert.All(received, r =>
        {
            Assert.Equal([secret], r.VerifiedWith);
            Assert.StartsWith("msg_", r.MessageId, StringComparison.Ordinal);
            Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal);
            Assert.Equal(runId, r.Data.GetProperty("id").GetGuid());
        });
        Assert.Equal(["queued", "running", "completed"], received.Select(r => r.Data.GetProperty("status").GetString()));
        Assert.Equal(run.GetRawText(), received[2].Data.GetRawText());
        Assert.Equal(23, received[0].Data.EnumerateObject().Count());
        var deliveriesShown = await WebhooksWorld.SettledDeliveriesAsync(client, webhookId, 3);
        Assert.All(deliveriesShown, d =>
        {
            Assert.Equal("delivered", d.GetProperty("status").GetString());
            Assert.Equal(1, d.GetProperty("attempts").GetInt32());
            Assert.Equal(200, d.GetProperty("lastResponseStatus").GetInt32());
        });
        Assert.Equal(received.Select(r => r.MessageId).Order(), deliveriesShown.Select(d => d.GetProperty("webhookMessageId").GetString()!).Order());
    }

    [Fact]
    public async Task Events_fanned_out_in_batches_with_copies_and_a_redelivered_message_reach_each_webhook_once()
    {
        const int events = 60;
        var (client, organizationId) = await world.OrganizationAsync();
        var (first, second) = (world.Receiver.NewUrl(), world.Receiver.NewUrl());
        var (firstId, _) = await world.WebhookAsync(client, first, "run.completed");
        var (secondId, _) = await world.WebhookAsync(client, second, "run.completed");
        var now = DateTime.UtcNow;
        var fanOuts = Enumerable.Range(0, events).Select(i => new FanOutWebhookEvent
        {
            EventId = Guid.CreateVersion7(), OrganizationId = organizationId, RunId = Guid.CreateVersion7(), Type = "run.completed",
            Payload = $$$"""{"type":"run.completed","timestamp":"{{{now:o}}}","data":{"n":{{{i}}}}}""", OccurredAt = now,
        }).ToList();
        var redelivered = Guid.NewGuid();

        // Each event twice in one commit (copies under new message ids, so they may share a batch), one message with a known id.
        await PublishAsync([.. fanOuts, .. fanOuts], (fanOuts[0], redelivered));
        var firstSeen = await world.Receiver.WaitForAsync(first, events);
        await world.Receiver.WaitForAsync(second, events);

        // Then all of them again, and the message with the known id as the broker would redeliver it.
        await PublishAsync(fanOuts, (fanOuts[1], redelivered));
        await Eventually.MatchAsync(() => world.Runs.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_message"), n => n == 0,
            TimeSpan.FromSeconds(30), "the copies to be relayed");
        await Task.Delay(TimeSpan.FromSeconds(3));

        var expected = fanOuts.Select(e => WebhookSignatures.MessageId(e.EventId)).Order().ToList();
        Assert.Equal(expected, world.Receiver.Received(first).Select(r => r.MessageId).Order().ToList());
        Assert.Equal(expected, world.Receiver.Received(second).Select(r => r.MessageId).Order().ToList());
        Assert.Equal(events, firstSeen.Count);
        foreach (var webhookId in new[] { firstId, secondId })
        {
            var deliveries = await WebhooksWorld.DeliveriesAsync(client, webhookId, "?limit=100");
            Assert.Equal(events, deliveries.Length);
            Assert.All(deliveries, d =>
            {
                Assert.Equal("delivered", d.GetProperty("status").GetString());
                Assert.Equal(1, d.GetProperty("attempts").GetInt32());
            });
        }

        Assert.Equal(events, await world.Runs.Database.ScalarAsync<long>($"SELECT count(*) FROM webhook_events WHERE organization_id = '{organizationId}'"));
        Assert.Equal(0L, await world.Runs.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM webhook_due_deliveries q JOIN webhook_deliveries d ON d.id = q.delivery_id WHERE d.webhook_id IN ('{firstId}', '{secondId}')"));
    }

    [Fact]
    public async Task A_completed_export_sends_export_completed_with_the_export_as_the_api_shows_it()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        await world.WebhookAsync(client, url, "export.completed");
        var audience = await WebhooksWorld.AudienceAsync(client);
        var runId = (await RunsWorld.QueueRunWithAsync(client, audience)).GetProperty("id").GetGuid();
        await Eventually.MatchAsync(() => RunAsync(client, audience, runId), r => r.GetProperty("status").GetString() == "completed",
            TimeSpan.FromSeconds(60), "the run to complete");

        var export = await Eventually.MatchAsync(
            async () => await client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs/{runId}/exports"),
            r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the export to be stored");

        var received = Assert.Single(await world.Receiver.WaitForAsync(url, 1));
        Assert.Equal("export.completed", received.Type);
        Assert.Equal(export.Body.Data().GetProperty("export").GetRawText(), received.Data.GetRawText());
    }

    [Fact]
    public async Task A_cancelled_run_sends_run_cancelled()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        await world.WebhookAsync(client, url, "run.cancelled");
        var audience = await WebhooksWorld.AudienceAsync(client);

        // Queued without a message, so no worker starts it before the cancel.
        var runId = Guid.NewGuid();
        await world.Runs.Database.ExecuteAsync($"""
            INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, candidate_count, result_count, attempts, created_at, updated_at)
            SELECT '{runId}', id, organization_id, 'queued', 'manual', config, config_hash, 0, 0, 0, now(), now() FROM audiences WHERE id = '{audience}'
            """);
        var (cancel, cancelBody) = await client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        var received = Assert.Single(await world.Receiver.WaitForAsync(url, 1));
        Assert.Equal("run.cancelled", received.Type);
        Assert.Equal("cancelled", received.Data.GetProperty("status").GetString());
        Assert.Equal(cancelBody.Data().GetRawText(), received.Data.GetRawText());
    }

    [Fact]
    public async Task A_500_then_a_200_is_delivered_on_the_second_attempt_with_the_same_webhook_id()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        world.Receiver.Script(url, [500]);
        var (webhookId, secret) = await world.WebhookAsync(client, url, "run.queued");

        var test = await WebhooksWorld.SendTestAsync(client, webhookId);

        var received = await world.Receiver.WaitForAsync(url, 2);
        var delivery = Assert.Single(await WebhooksWorld.SettledDeliveriesAsync(client, webhookId, 1));
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Equal(2, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivery.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("lastError").ValueKind);
        Assert.Equal([500, 200], received.Select(r => r.Answered));
        Assert.Equal(test.GetProperty("webhookMessageId").GetString(), received[0].MessageId);
        Assert.Equal(received[0].MessageId, received[1].MessageId);
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.Equal("webhook.test", received[0].Type);
        Assert.All(received, r => Assert.Equal([secret], r.VerifiedWith));
        Assert.True(received[1].ReceivedAt - received[0].ReceivedAt >= WebhooksWorld.Schedule[0] - TimeSpan.FromMilliseconds(100),
            $"retried after {received[1].ReceivedAt - received[0].ReceivedAt}");
    }

    [Fact]
    public async Task A_429_is_retried_no_sooner_than_its_retry_after()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        world.Receiver.Script(url, [429], retryAfter: "2");
        var (webhookId, _) = await world.WebhookAsync(client, url, "run.queued");

        await WebhooksWorld.SendTestAsync(client, webhookId);

        var received = await world.Receiver.WaitForAsync(url, 2);
        Assert.Equal([429, 200], received.Select(r => r.Answered));
        Assert.True(received[1].ReceivedAt - received[0].ReceivedAt >= TimeSpan.FromSeconds(1.9),
            $"retried after {received[1].ReceivedAt - received[0].ReceivedAt}, before the receiver's Retry-After of 2 s");
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_retried_on_schedule_then_the_webhook_is_disabled()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        world.Receiver.Script(url, [], then: 503);
        var (webhookId, _) = await world.WebhookAsync(client, url, "run.queued");

        var runs = new List<Guid>();
        foreach (var _ in Enumerable.Range(0, WebhooksWorld.DisableAfterFailures))
        {
            var audience = await WebhooksWorld.AudienceAsync(client);
            runs.Add((await RunsWorld.QueueRunWithAsync(client, audience)).GetProperty("id").GetGuid());
        }

        var attempts = WebhooksWorld.Schedule.Length + 1;
        var deliveries = await WebhooksWorld.SettledDeliveriesAsync(client, webhookId, runs.Count);
        Assert.All(deliveries, d =>
        {
            Assert.Equal("failed", d.GetProperty("status").GetString());
            Assert.Equal(attempts, d.GetProperty("attempts").GetInt32());
            Assert.Equal(503, d.GetProperty("lastResponseStatus").GetInt32());
            Assert.Equal("HTTP_503: The receiver answered 503.", d.GetProperty("lastError").GetString());
            Assert.Equal(JsonValueKind.Null, d.GetProperty("nextAttemptAt").ValueKind);
        });

        var received = world.Receiver.Received(url);
        Assert.Equal(runs.Count * attempts, received.Count);
        foreach (var byEvent in received.GroupBy(r => r.MessageId))
        {
            var times = byEvent.Select(r => r.ReceivedAt).Order().ToList();
            Assert.Equal(attempts, times.Count);
            for (var i = 1; i < times.Count; i++)
            {
                Assert.True(times[i] - times[i - 1] >= WebhooksWorld.Schedule[i - 1] - TimeSpan.FromMilliseconds(100),
                    $"attempt {i + 1} came {times[i] - times[i - 1]} after attempt {i}; the schedule says {WebhooksWorld.Schedule[i - 1]}");
            }
        }

        var webhook = await WebhooksWorld.WebhookOfAsync(client, webhookId);
        Assert.False(webhook.GetProperty("enabled").GetBoolean());
        Assert.Equal(WebhooksWorld.DisableAfterFailures, webhook.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("HTTP_503", webhook.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, webhook.GetProperty("disabledAt").ValueKind);

        // Disabled: a later event reaches it no more, and enabling it again clears why it was disabled.
        await RunsWorld.QueueRunWithAsync(client, await WebhooksWorld.AudienceAsync(client));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(runs.Count, (await WebhooksWorld.DeliveriesAsync(client, webhookId)).Length);
        var (enable, enabled) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/webhooks/{webhookId}", new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        Assert.True(enabled.Data().GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, enabled.Data().GetProperty("disabledReason").ValueKind);
        Assert.Equal(0, enabled.Data().GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task A_permanent_4xx_is_not_retried_and_can_be_retried_by_hand_once_the_receiver_is_fixed()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        world.Receiver.Script(url, [410]);
        var (webhookId, _) = await world.WebhookAsync(client, url, "run.queued");

        await WebhooksWorld.SendTestAsync(client, webhookId);

        var delivery = Assert.Single(await WebhooksWorld.SettledDeliveriesAsync(client, webhookId, 1));
        await Task.Delay(WebhooksWorld.Schedule.Aggregate(TimeSpan.Zero, (a, b) => a + b) + TimeSpan.FromSeconds(1));
        Assert.Single(world.Receiver.Received(url));
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(410, delivery.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal("HTTP_410: The receiver answered 410; not retried.", delivery.GetProperty("lastError").GetString());
        Assert.Single(await WebhooksWorld.DeliveriesAsync(client, webhookId, "?status=failed"));
        Assert.Empty(await WebhooksWorld.DeliveriesAsync(client, webhookId, "?status=delivered"));

        var deliveryId = delivery.GetProperty("id").GetGuid();
        var (retry, retried) = await client.SendAsync(HttpMethod.Post, $"/v1/intent/webhooks/{webhookId}/deliveries/{deliveryId}/retry");
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("pending", retried.Data().GetProperty("status").GetString());
        var done = Assert.Single(await WebhooksWorld.SettledDeliveriesAsync(client, webhookId, 1));
        Assert.Equal("delivered", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(2, world.Receiver.Received(url).Count);

        var (again, againBody) = await client.SendAsync(HttpMethod.Post, $"/v1/intent/webhooks/{webhookId}/deliveries/{deliveryId}/retry");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("DELIVERY_ALREADY_DELIVERED", againBody.ErrorCode());
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_for_the_grace_period_then_only_the_new_one()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        var (webhookId, oldSecret) = await world.WebhookAsync(client, url, "run.queued");

        var (rotate, rotated) = await client.SendAsync(HttpMethod.Post, $"/v1/intent/webhooks/{webhookId}/rotate-secret");
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var newSecret = rotated.Data().GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(oldSecret, newSecret);
        Assert.NotEqual(JsonValueKind.Null, rotated.Data().GetProperty("previousSecretExpiresAt").ValueKind);
        world.Receiver.Secrets(url, oldSecret, newSecret);

        await WebhooksWorld.SendTestAsync(client, webhookId);
        var during = Assert.Single(await world.Receiver.WaitForAsync(url, 1));
        Assert.Equal(2, during.Signatures.Count);
        Assert.Equal([oldSecret, newSecret], during.VerifiedWith);

        var expires = rotated.Data().GetProperty("previousSecretExpiresAt").GetDateTime().ToUniversalTime();
        Assert.True(during.ReceivedAt < expires, "the first test event was sent after the grace period; the machine is too slow for this test");
        await Task.Delay((expires - DateTime.UtcNow) + TimeSpan.FromMilliseconds(500));
        await WebhooksWorld.SendTestAsync(client, webhookId);
        var after = (await world.Receiver.WaitForAsync(url, 2))[1];
        Assert.Single(after.Signatures);
        Assert.Equal([newSecret], after.VerifiedWith);
        Assert.False((await WebhooksWorld.WebhookOfAsync(client, webhookId)).TryGetProperty("secret", out _));
    }

    [Fact]
    public async Task Another_organizations_webhook_is_not_found_on_every_route_and_stays_as_it_was()
    {
        var owner = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        var (webhookId, _) = await world.WebhookAsync(owner, url, "run.queued");
        var delivery = await WebhooksWorld.SendTestAsync(owner, webhookId);
        await WebhooksWorld.SettledDeliveriesAsync(owner, webhookId, 1);
        var before = (await WebhooksWorld.WebhookOfAsync(owner, webhookId)).GetRawText();
        var stranger = await world.CallerAsync();

        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/v1/intent/webhooks/{webhookId}", null),
            (HttpMethod.Patch, $"/v1/intent/webhooks/{webhookId}", new { enabled = false }),
            (HttpMethod.Delete, $"/v1/intent/webhooks/{webhookId}", null),
            (HttpMethod.Post, $"/v1/intent/webhooks/{webhookId}/rotate-secret", null),
            (HttpMethod.Post, $"/v1/intent/webhooks/{webhookId}/test", null),
            (HttpMethod.Get, $"/v1/intent/webhooks/{webhookId}/deliveries", null),
            (HttpMethod.Post, $"/v1/intent/webhooks/{webhookId}/deliveries/{delivery.GetProperty("id").GetGuid()}/retry", null),
        };
        foreach (var (method, path, body) in attempts)
        {
            var (response, answer) = await stranger.SendAsync(method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("NOT_FOUND", answer.ErrorCode());
        }

        var (list, listed) = await stranger.SendAsync(HttpMethod.Get, "/v1/intent/webhooks");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Empty(listed.Data().EnumerateArray());
        Assert.Equal(before, (await WebhooksWorld.WebhookOfAsync(owner, webhookId)).GetRawText());
        Assert.Single(await WebhooksWorld.DeliveriesAsync(owner, webhookId));
        Assert.Single(world.Receiver.Received(url));
    }

    [Fact]
    public async Task The_log_sweep_removes_events_past_the_retention_with_their_deliveries_in_batches_and_keeps_pending_ones()
    {
        var (client, organizationId) = await world.OrganizationAsync();
        var (webhookId, _) = await world.WebhookAsync(client, world.Receiver.NewUrl(), "run.queued");
        var old = Enumerable.Range(0, (2 * WebhooksWorld.SweepBatchSize) + 1).Select(_ => Guid.NewGuid()).ToList();
        var (pendingOld, recent) = (Guid.NewGuid(), Guid.NewGuid());
        var rows = old.Select(id => (id, "now() - interval '31 days'", "delivered"))
            .Append((pendingOld, "now() - interval '31 days'", "pending"))
            .Append((recent, "now() - interval '29 days'", "failed"));
        foreach (var (id, createdAt, status) in rows)
        {
            await world.Runs.Database.ExecuteAsync($"""
                INSERT INTO webhook_events (id, organization_id, type, payload, created_at) VALUES ('{id}', '{organizationId}', 'run.queued', 'null', {createdAt});
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, created_at, updated_at)
                VALUES ('{id}', '{webhookId}', '{id}', 'run.queued', '{status}', 1, {createdAt}, {createdAt});
                """);
        }

        var scheduler = await world.Runs.Worker!.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(Intent.Pipeline.Scheduling.SweepWebhookLogJob.Key);

        var left = await Eventually.MatchAsync(
            async () => (await WebhooksWorld.DeliveriesAsync(client, webhookId, "?limit=100")).Select(d => d.GetProperty("id").GetGuid()).ToHashSet(),
            ids => !ids.Overlaps(old), TimeSpan.FromSeconds(30), "the old deliveries to be swept");
        Assert.Equal(new[] { pendingOld, recent }.Order(), left.Order());
        Assert.Equal(2, await world.Runs.Database.ScalarAsync<long>($"SELECT count(*) FROM webhook_events WHERE organization_id = '{organizationId}'"));
    }

    private async Task PublishAsync(IEnumerable<object> messages, (object Message, Guid MessageId)? withId = null)
    {
        await using var scope = world.Runs.Worker!.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        foreach (var message in messages)
        {
            await publisher.Publish(message, message.GetType());
        }

        if (withId is var (identified, messageId))
        {
            await publisher.Publish(identified, identified.GetType(), context => context.MessageId = messageId);
        }

        await db.SaveChangesAsync();
    }

    private static async Task<JsonElement> RunAsync(HttpClient client, Guid audience, Guid runId) =>
        (await client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}")).Body.Data();
}
