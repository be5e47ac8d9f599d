using Intent.Tests.Integration.Messaging.Support;
using Intent.Messaging.Outbox;
using Intent.Messaging.Relay;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Tests.Integration.Messaging;

[Collection(IntegrationGroup.Name)]
public sealed class BusOutboxTests : MessagingTest
{
    private static readonly TimeSpan DuplicateWindow = TimeSpan.FromSeconds(1);
    [Fact]
    public async Task A_committed_publish_is_consumed_exactly_once_with_its_id_headers_and_content_type()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();

        await host.PublishInTransactionAsync([new TestEvent(group, 1)], configure: context =>
        {
            context.MessageId = messageId;
            context.Headers.Set("X-Test-Header", "kept");
        });

        await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), effects => effects.Count > 0, because: "the event to be consumed");
        await Task.Delay(DuplicateWindow);
        var effect = Assert.Single(await MessagingDatabase.EffectsAsync(group));
        Assert.Equal(messageId, effect.MessageId);
        Assert.Equal("kept", effect.Header);
        Assert.Equal("application/vnd.masstransit+json", effect.ContentType);
        Assert.EndsWith($"/{TestSettings.RabbitMqVirtualHost}/Intent.Tests.Integration.Messaging.Support:TestEvent", effect.DestinationAddress, StringComparison.Ordinal);
        Assert.Equal(0, await MessagingDatabase.OutboxRowsAsync([messageId]));
    }

    [Fact]
    public async Task A_committed_send_reaches_its_queue_unchanged()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();
        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<TestCommandConsumer>();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
            var endpoint = await scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri($"queue:{queue}"));
            await endpoint.Send(new TestCommand(group, 7), context =>
            {
                context.MessageId = messageId;
                context.Headers.Set("X-Test-Header", "sent");
            });
            await db.SaveChangesAsync();
        }

        var effects = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), e => e.Count > 0, because: "the command to be consumed");
        var effect = Assert.Single(effects);
        Assert.Equal(messageId, effect.MessageId);
        Assert.Equal(7, effect.Sequence);
        Assert.Equal("sent", effect.Header);
        Assert.Equal(
            $"rabbitmq://{TestSettings.RabbitMqHost}/{TestSettings.RabbitMqVirtualHost}/{queue}?bind=true",
            effect.DestinationAddress);
    }

    [Fact]
    public async Task Outbox_rows_written_by_bulk_copy_are_delivered_once_each_in_publishing_order_and_roll_back_with_the_caller()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        var group = TestNames.Group();
        var rolledBack = TestNames.Group();

        foreach (var (name, commit) in new[] { (rolledBack, false), (group, true) })
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            for (var i = 1; i <= 500; i++)
            {
                await publisher.Publish(new TestEvent(name, i), context => context.Headers.Set("X-Test-Header", $"bulk {i}"));
            }

            Assert.Equal(500, await db.CopyPendingOutboxAsync(CancellationToken.None));
            await db.SaveChangesAsync();

            // Numbered in the order published (delivery within an outbox follows that number).
            var order = await db.Database.SqlQuery<int>(
                $"SELECT (body::jsonb -> 'message' ->> 'sequence')::int AS \"Value\" FROM messaging_tests.outbox_message WHERE body::jsonb -> 'message' ->> 'group' = {name} ORDER BY sequence_number")
                .ToListAsync();
            Assert.Equal(Enumerable.Range(1, 500), order);
            if (commit)
            {
                await transaction.CommitAsync();
            }
        }

        var effects = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), e => e.Count >= 500, TimeSpan.FromSeconds(60),
            "every copied event to be consumed");
        await Task.Delay(DuplicateWindow);
        effects = await MessagingDatabase.EffectsAsync(group);
        Assert.Equal(Enumerable.Range(1, 500), effects.Select(e => e.Sequence).Order());
        Assert.All(effects, e => Assert.Equal($"bulk {e.Sequence}", e.Header));
        Assert.Empty(await MessagingDatabase.EffectsAsync(rolledBack));
    }

    [Fact]
    public async Task Outbox_rows_written_in_a_callers_batch_commit_with_it_wake_a_relay_elsewhere_and_a_failed_batch_leaves_none()
    {
        // The relay would next poll in 5 minutes: only the writer's wake-up after its batch delivers in time.
        await using var relay = await MessagingTestHost.StartAsync(Queues, o => o.Outbox = outbox => outbox.PollInterval = TimeSpan.FromMinutes(5));
        await using var writer = await MessagingTestHost.StartAsync(Queues, o => { o.Relay = false; o.Consumers = false; });
        await Task.Delay(TimeSpan.FromSeconds(1));
        var group = TestNames.Group();
        var failed = TestNames.Group();
        var messageId = NewId.NextGuid();
        var failedId = NewId.NextGuid();

        foreach (var (name, id, fail) in new[] { (failed, failedId, true), (group, messageId, false) })
        {
            await using var scope = writer.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new TestEvent(name, 1), context =>
            {
                context.MessageId = id;
                context.Headers.Set("X-Test-Header", "batched");
            });

            await using var batch = new NpgsqlBatch();
            Assert.Equal(1, db.AddPendingOutbox(batch));
            Assert.Empty(db.ChangeTracker.Entries());
            if (fail)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT 1 / 0"));
            }

            await db.Database.OpenConnectionAsync();
            batch.Connection = (NpgsqlConnection)db.Database.GetDbConnection();
            if (fail)
            {
                await Assert.ThrowsAsync<PostgresException>(() => batch.ExecuteNonQueryAsync());
            }
            else
            {
                await batch.ExecuteNonQueryAsync();
                scope.ServiceProvider.GetRequiredService<OutboxWakeUp>().Committed(db);
            }
        }

        var effects = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), e => e.Count > 0, TimeSpan.FromSeconds(20),
            "the batched event to be consumed after the wake-up, long before the relay's poll");
        var effect = Assert.Single(effects);
        Assert.Equal(messageId, effect.MessageId);
        Assert.Equal("batched", effect.Header);
        Assert.Equal("application/vnd.masstransit+json", effect.ContentType);
        Assert.Equal(0, await MessagingDatabase.OutboxRowsAsync([failedId]));
        await Task.Delay(DuplicateWindow);
        Assert.Single(await MessagingDatabase.EffectsAsync(group));
        Assert.Empty(await MessagingDatabase.EffectsAsync(failed));
    }

    [Fact]
    public async Task A_rolled_back_publish_is_never_delivered()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();

        await host.PublishInTransactionAsync([new TestEvent(group, 1)], commit: false, configure: context => context.MessageId = messageId);
        var committedGroup = TestNames.Group();
        await host.PublishInTransactionAsync([new TestEvent(committedGroup, 1)]);

        // The committed message after it is delivered; the rolled-back one had every chance too.
        await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(committedGroup), e => e.Count > 0, because: "the committed event");
        await Task.Delay(DuplicateWindow);
        Assert.Empty(await MessagingDatabase.EffectsAsync(group));
        Assert.Equal(0, await MessagingDatabase.OutboxRowsAsync([messageId]));
    }

    [Fact]
    public async Task Nothing_is_sent_before_the_transaction_commits()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        var group = TestNames.Group();

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new TestEvent(group, 1));
        await db.SaveChangesAsync();

        await Task.Delay(DuplicateWindow);
        Assert.Empty(await MessagingDatabase.EffectsAsync(group));

        await transaction.CommitAsync();
        await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), e => e.Count == 1, because: "delivery after commit");
    }
}
