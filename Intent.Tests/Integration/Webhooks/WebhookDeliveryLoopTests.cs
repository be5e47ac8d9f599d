using System.Text.Json;
using Intent.Pipeline.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>
/// The batched delivery loop on the real PostgreSQL and worker, to the Kestrel receiver that checks every
/// signature: many deliveries at once, several loops over the same rows, leases of loops that died, and
/// retries timed by the delivery row alone.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class WebhookDeliveryLoopTests(WebhooksWorld world) : IClassFixture<WebhooksWorld>
{
    [Fact]
    public async Task A_batch_of_many_deliveries_reaches_each_webhook_once_each_signed_with_its_secret()
    {
        const int events = 400;
        var (client, organizationId) = await world.OrganizationAsync();
        var (first, second) = (world.Receiver.NewUrl(), world.Receiver.NewUrl());
        var (firstId, firstSecret) = await world.WebhookAsync(client, first, "run.completed");
        var (secondId, secondSecret) = await world.WebhookAsync(client, second, "run.completed");

        var eventIds = await PendingAsync(organizationId, events, [firstId, secondId]);

        var atFirst = await world.Receiver.WaitForAsync(first, events);
        var atSecond = await world.Receiver.WaitForAsync(second, events);
        await Eventually.MatchAsync(() => CountAsync($"webhook_id IN ('{firstId}', '{secondId}') AND status = 'delivered'"), n => n == 2 * events,
            TimeSpan.FromSeconds(30), "every delivery to be recorded delivered");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var expected = eventIds.Select(WebhookSignatures.MessageId).Order().ToList();
        foreach (var (received, secret) in new[] { (world.Receiver.Received(first), firstSecret), (world.Receiver.Received(second), secondSecret) })
        {
            Assert.Equal(expected, received.Select(r => r.MessageId).Order().ToList());
            Assert.All(received, r => Assert.Equal([secret], r.VerifiedWith));
            Assert.All(received, r => Assert.Equal(200, r.Answered));
        }

        Assert.Equal(atFirst.Count, world.Receiver.Received(first).Count);
        Assert.Equal(atSecond.Count, world.Receiver.Received(second).Count);
        Assert.Equal(2 * events, await CountAsync($"webhook_id IN ('{firstId}', '{secondId}') AND attempts = 1 AND delivered_at IS NOT NULL"));
        Assert.Equal(0L, await world.Runs.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM webhook_due_deliveries q JOIN webhook_deliveries d ON d.id = q.delivery_id WHERE d.webhook_id IN ('{firstId}', '{secondId}')"));
    }

    [Fact]
    public async Task Two_more_delivery_loops_beside_the_workers_deliver_each_delivery_once()
    {
        const int events = 600;
        var (client, organizationId) = await world.OrganizationAsync();
        var url = world.Receiver.NewUrl();
        var (webhookId, secret) = await world.WebhookAsync(client, url, "run.completed");
        var services = world.Runs.Worker!.Services;
        var loops = new[]
        {
            ActivatorUtilities.CreateInstance<WebhookDeliveryLoop>(services, new WebhookDeliverySignal()),
            ActivatorUtilities.CreateInstance<WebhookDeliveryLoop>(services, new WebhookDeliverySignal()),
        };
        foreach (var loop in loops)
        {
            await loop.StartAsync(CancellationToken.None);
        }

        try
        {
            var eventIds = await PendingAsync(organizationId, events, [webhookId]);

            await Eventually.MatchAsync(() => CountAsync($"webhook_id = '{webhookId}' AND status = 'delivered'"), n => n == events,
                TimeSpan.FromSeconds(60), "every delivery to be recorded delivered");
            await Task.Delay(TimeSpan.FromSeconds(1));
            var received = world.Receiver.Received(url);
            Assert.Equal(events, received.Count);
            Assert.Equal(eventIds.Select(WebhookSignatures.MessageId).Order(), received.Select(r => r.MessageId).Order());
            Assert.All(received, r => Assert.Equal([secret], r.VerifiedWith));
            Assert.Equal(events, await CountAsync($"webhook_id = '{webhookId}' AND attempts = 1"));
        }
        finally
        {
            foreach (var loop in loops)
            {
                await loop.StopAsync(CancellationToken.None);
                loop.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_claim_whose_lease_passed_is_sent_again_with_the_same_webhook_id_and_a_live_lease_is_waited_for()
    {
        var (client, organizationId) = await world.OrganizationAsync();
        var (dead, live) = (world.Receiver.NewUrl(), world.Receiver.NewUrl());
        var (deadId, _) = await world.WebhookAsync(client, dead, "run.completed");
        var (liveId, _) = await world.WebhookAsync(client, live, "run.completed");

        // Both claimed for their first attempt: the first by a loop that died (its lease has passed), the second by one whose lease lasts 4 s more.
        var leased = DateTime.UtcNow;
        var deadEvent = Assert.Single(await PendingAsync(organizationId, 1, [deadId], attempts: 1, claimedUntil: "now() - interval '1 second'"));
        var liveEvent = Assert.Single(await PendingAsync(organizationId, 1, [liveId], attempts: 1, claimedUntil: "now() + interval '4 seconds'"));

        var again = Assert.Single(await world.Receiver.WaitForAsync(dead, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(WebhookSignatures.MessageId(deadEvent), again.MessageId);
        var deadDelivery = Assert.Single(await WebhooksWorld.SettledDeliveriesAsync(client, deadId, 1));
        Assert.Equal("delivered", deadDelivery.GetProperty("status").GetString());
        Assert.Equal(2, deadDelivery.GetProperty("attempts").GetInt32());

        var afterLease = Assert.Single(await world.Receiver.WaitForAsync(live, 1, TimeSpan.FromSeconds(15)));
        Assert.True(afterLease.ReceivedAt >= leased + TimeSpan.FromSeconds(3.5), $"sent {afterLease.ReceivedAt - leased} after the lease was written, before it passed");
        Assert.Equal(WebhookSignatures.MessageId(liveEvent), afterLease.MessageId);

        // The dead loop's outcome of its attempt, arriving late, changes nothing.
        var store = world.Runs.Worker!.Services.GetRequiredService<WebhookDeliveryStore>();
        var deliveryId = deadDelivery.GetProperty("id").GetGuid();
        var late = new ClaimedDelivery(deliveryId, 1, DateTime.UtcNow, "run.completed", null, deadEvent, "{}", deadId, dead, true, "whsec_x", null, null);
        var (recorded, disabled) = await store.RecordAsync(
            [new DeliveryOutcome(late, DeliveryOutcomeKind.Failed, DateTime.UtcNow, null,
                new WebhookAttempt(WebhookAttemptOutcome.Permanent, 410, TimeSpan.FromMilliseconds(5), null, "HTTP_410", "gone"), CountsAgainstWebhook: true)],
            disableAfter: 1, DateTime.UtcNow, CancellationToken.None);
        Assert.Empty(recorded);
        Assert.Empty(disabled);
        var unchanged = Assert.Single(await WebhooksWorld.DeliveriesAsync(client, deadId));
        Assert.Equal(deadDelivery.GetRawText(), unchanged.GetRawText());
        Assert.True((await WebhooksWorld.WebhookOfAsync(client, deadId)).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_retry_is_timed_by_the_deliverys_next_attempt_at_which_honours_retry_after()
    {
        var client = await world.CallerAsync();
        var url = world.Receiver.NewUrl();
        world.Receiver.Script(url, [429, 429], retryAfter: "2");
        var (webhookId, _) = await world.WebhookAsync(client, url, "run.queued");

        await WebhooksWorld.SendTestAsync(client, webhookId);

        // Between the attempts: the wait asked by Retry-After (2 s, longer than the schedule's 1 s) is on the row itself.
        var waiting = await Eventually.MatchAsync(async () => Assert.Single(await WebhooksWorld.DeliveriesAsync(client, webhookId)),
            d => d.GetProperty("attempts").GetInt32() == 1 && d.GetProperty("lastResponseStatus").ValueKind == JsonValueKind.Number,
            TimeSpan.FromSeconds(10), "the first attempt to be recorded");
        Assert.Equal("pending", waiting.GetProperty("status").GetString());
        Assert.Equal(429, waiting.GetProperty("lastResponseStatus").GetInt32());
        var wait = waiting.GetProperty("nextAttemptAt").GetDateTime() - waiting.GetProperty("lastAttemptAt").GetDateTime();
        Assert.InRange(wait, TimeSpan.FromSeconds(1.95), TimeSpan.FromSeconds(2.05));
        Assert.Equal(0L, await world.Runs.Database.ScalarAsync<long>("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'webhook-retries'"));

        var received = await world.Receiver.WaitForAsync(url, 3);
        var done = Assert.Single(await WebhooksWorld.SettledDeliveriesAsync(client, webhookId, 1));
        Assert.Equal("delivered", done.GetProperty("status").GetString());
        Assert.Equal(3, done.GetProperty("attempts").GetInt32());
        Assert.Equal([429, 429, 200], received.Select(r => r.Answered));
        Assert.True(received[1].ReceivedAt >= waiting.GetProperty("nextAttemptAt").GetDateTime().ToUniversalTime() - TimeSpan.FromMilliseconds(50),
            $"the second attempt came at {received[1].ReceivedAt:o}, before its next_attempt_at {waiting.GetProperty("nextAttemptAt")}");
        Assert.True(received[2].ReceivedAt - received[1].ReceivedAt >= TimeSpan.FromSeconds(1.9),
            $"the third attempt came {received[2].ReceivedAt - received[1].ReceivedAt} after the second, before its Retry-After");
    }

    [Fact]
    public async Task A_claim_counts_its_attempt_on_the_timer_leaving_the_log_row_to_the_outcome_and_only_the_latest_claims_outcome_is_recorded()
    {
        var (client, organizationId) = await world.OrganizationAsync();
        var url = world.Receiver.NewUrl();
        var (webhookId, _) = await world.WebhookAsync(client, url, "run.completed");

        // Two attempts recorded already; the next is due in an hour, so only the claims below take it, not the worker's loop.
        var eventId = Guid.CreateVersion7();
        var deliveryId = Guid.CreateVersion7();
        await world.Runs.Database.ExecuteAsync($"""
            WITH e AS (
                INSERT INTO webhook_events (id, organization_id, type, payload, created_at)
                VALUES ('{eventId}', '{organizationId}', 'run.completed', '{"{"}"type":"run.completed"{"}"}', now())
            ),
            d AS (
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, next_attempt_at, last_response_status, created_at, updated_at)
                VALUES ('{deliveryId}', '{webhookId}', '{eventId}', 'run.completed', 'pending', 2, now() + interval '1 hour', 503, now(), now())
            )
            INSERT INTO webhook_due_deliveries (delivery_id, next_attempt_at) VALUES ('{deliveryId}', now() + interval '1 hour')
            """);
        var logRow = await LogRowAsync(deliveryId);

        var store = world.Runs.Worker!.Services.GetRequiredService<WebhookDeliveryStore>();
        var inAnHour = DateTime.UtcNow + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1);
        var first = Assert.Single(await store.ClaimAsync(1000, inAnHour, TimeSpan.FromSeconds(10), CancellationToken.None), c => c.Id == deliveryId);
        Assert.Equal(3, first.Attempt);
        Assert.Equal(eventId, first.EventId);
        Assert.Equal(logRow, await LogRowAsync(deliveryId));
        var underWay = Assert.Single(await WebhooksWorld.DeliveriesAsync(client, webhookId));
        Assert.Equal(3, underWay.GetProperty("attempts").GetInt32());
        Assert.Equal("pending", underWay.GetProperty("status").GetString());

        // Under its lease, no other claim takes it; once the lease has passed (its loop died), the next claim counts another attempt.
        Assert.DoesNotContain(await store.ClaimAsync(1000, inAnHour + TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), CancellationToken.None), c => c.Id == deliveryId);
        var second = Assert.Single(await store.ClaimAsync(1000, inAnHour + TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(10), CancellationToken.None), c => c.Id == deliveryId);
        Assert.Equal(4, second.Attempt);
        Assert.Equal(logRow, await LogRowAsync(deliveryId));

        // The first claim's outcome comes late: nothing changes. The second's is recorded, counting both attempts.
        var now = DateTime.UtcNow;
        var (late, _) = await store.RecordAsync([Delivered(first, now)], disableAfter: 5, now, CancellationToken.None);
        Assert.Empty(late);
        Assert.Equal(logRow, await LogRowAsync(deliveryId));
        var (recorded, disabled) = await store.RecordAsync([Delivered(second, now)], disableAfter: 5, now, CancellationToken.None);
        Assert.Equal(deliveryId, Assert.Single(recorded));
        Assert.Empty(disabled);

        var done = Assert.Single(await WebhooksWorld.DeliveriesAsync(client, webhookId));
        Assert.Equal("delivered", done.GetProperty("status").GetString());
        Assert.Equal(4, done.GetProperty("attempts").GetInt32());
        Assert.Equal(200, done.GetProperty("lastResponseStatus").GetInt32());
        Assert.Equal(0L, await world.Runs.Database.ScalarAsync<long>($"SELECT count(*) FROM webhook_due_deliveries WHERE delivery_id = '{deliveryId}'"));
        Assert.Empty(world.Receiver.Received(url));
    }

    private static DeliveryOutcome Delivered(ClaimedDelivery claimed, DateTime at) =>
        DeliveryOutcome.Of(claimed, new WebhookAttempt(WebhookAttemptOutcome.Delivered, 200, TimeSpan.FromMilliseconds(3), null, null, null), new WebhookOptions(), at);

    /// <summary>The delivery log's row as stored, its row version (<c>xmin</c>) included: any write changes it.</summary>
    private Task<string> LogRowAsync(Guid deliveryId) =>
        world.Runs.Database.ScalarAsync<string>($"SELECT xmin::text || ' ' || d::text FROM webhook_deliveries d WHERE id = '{deliveryId}'");

    /// <summary>
    /// Events of the organization, each with a pending delivery due now to each webhook (made <paramref name="attempts"/>,
    /// under a lease until <paramref name="claimedUntil"/>), written in one statement; returns the event ids.
    /// </summary>
    private async Task<List<Guid>> PendingAsync(Guid organizationId, int events, Guid[] webhookIds, int attempts = 0, string claimedUntil = "NULL")
    {
        var ids = Enumerable.Range(0, events).Select(_ => Guid.CreateVersion7()).ToList();
        await world.Runs.Database.ExecuteAsync($"""
            WITH e AS (
                INSERT INTO webhook_events (id, organization_id, type, payload, created_at)
                SELECT id, '{organizationId}', 'run.completed', json_build_object('type', 'run.completed', 'timestamp', now(), 'data', json_build_object('eventId', id))::text, now()
                FROM unnest(ARRAY['{string.Join("','", ids)}']::uuid[]) AS id
                RETURNING id
            ),
            d AS (
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, next_attempt_at, created_at, updated_at)
                SELECT gen_random_uuid(), w, e.id, 'run.completed', 'pending', {attempts}, now(), now(), now()
                FROM e CROSS JOIN unnest(ARRAY['{string.Join("','", webhookIds)}']::uuid[]) AS w
                RETURNING id
            )
            INSERT INTO webhook_due_deliveries (delivery_id, next_attempt_at, claimed_until) SELECT id, now(), {claimedUntil} FROM d
            """);
        return ids;
    }

    private Task<long> CountAsync(string where) => world.Runs.Database.ScalarAsync<long>($"SELECT count(*) FROM webhook_deliveries WHERE {where}");
}
