using Intent.Messaging.Relay;
using Intent.Messaging.Inbox;
using Intent.Messaging.Outbox;
using Intent.Tests.Integration.Messaging.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Messaging;

[Collection(IntegrationGroup.Name)]
public sealed class InboxTests : MessagingTest
{
    [Fact]
    public async Task A_message_delivered_twice_has_its_effect_once()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();
        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<TestCommandConsumer>();
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));

        await endpoint.Send(new TestCommand(group, 1), context => context.MessageId = messageId);
        await endpoint.Send(new TestCommand(group, 1), context => context.MessageId = messageId);

        await Eventually.MatchAsync(() => ReceiveCountAsync(messageId), count => count == 2, because: "both copies to reach the inbox");
        Assert.Single(await MessagingDatabase.EffectsAsync(group));
    }

    [Fact]
    public async Task Delivery_interrupted_after_the_broker_accepted_resends_and_the_inbox_deduplicates()
    {
        var interruption = new InterruptFirstBatch();
        await using var host = await MessagingTestHost.StartAsync(Queues, options => options.RelayObserver = interruption);
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();

        await host.PublishInTransactionAsync([new TestEvent(group, 1)], configure: context => context.MessageId = messageId);

        await Eventually.MatchAsync(() => ReceiveCountAsync(messageId), count => count == 2, because: "the resent copy to reach the inbox");
        Assert.True(interruption.Interrupted);
        Assert.Single(await MessagingDatabase.EffectsAsync(group));
        await Eventually.MatchAsync(() => MessagingDatabase.OutboxRowsAsync([messageId]), rows => rows == 0, because: "the resent row to be removed");
    }

    [Fact]
    public async Task A_batch_consumer_has_each_message_effect_once_when_consumed_messages_come_back_beside_new_ones()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        var group = TestNames.Group();
        var ids = Enumerable.Range(0, 6).Select(_ => NewId.NextGuid()).ToArray();
        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<TestBatchConsumer>();
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));

        foreach (var i in new[] { 0, 1, 2 })
        {
            await endpoint.Send(new TestBatchItem(group, i), context => context.MessageId = ids[i]);
        }

        await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), effects => effects.Count == 3, because: "the first batch");

        // Two consumed messages again, beside three new ones (one of them twice).
        foreach (var i in new[] { 1, 2, 3, 4, 5, 5 })
        {
            await endpoint.Send(new TestBatchItem(group, i), context => context.MessageId = ids[i]);
        }

        await Eventually.MatchAsync(async () => (await ReceiveCountAsync(ids[1])) + (await ReceiveCountAsync(ids[2])), count => count == 4,
            because: "the consumed messages to come back");
        var effects = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), e => e.Count >= 6, because: "the new messages' effects");
        await Task.Delay(TimeSpan.FromSeconds(1));
        effects = await MessagingDatabase.EffectsAsync(group);

        Assert.Equal(ids.Order(), effects.Select(e => e.MessageId).Order());
        Assert.Equal(Enumerable.Range(0, 6), effects.Select(e => e.Sequence).Order());
    }

    [Fact]
    public async Task The_sweeper_removes_inbox_rows_past_the_duplicate_window_and_keeps_the_rest()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues, options =>
            options.Outbox = outbox => { outbox.DuplicateDetectionWindow = TimeSpan.FromDays(7); outbox.CleanupBatchSize = 1000; });
        var expired = Enumerable.Range(0, 2500).Select(_ => Guid.NewGuid()).ToArray();
        var recent = Guid.NewGuid();
        await using (var db = MessagingDatabase.Open())
        {
            db.Set<InboxState>().AddRange(expired.Select(id => new InboxState
            {
                MessageId = id, ConsumerId = Guid.Empty, Received = DateTime.UtcNow.AddDays(-8), ReceiveCount = 1, Consumed = DateTime.UtcNow.AddDays(-8),
            }));
            db.Set<InboxState>().Add(new InboxState { MessageId = recent, ConsumerId = Guid.Empty, Received = DateTime.UtcNow.AddDays(-6), ReceiveCount = 1 });
            await db.SaveChangesAsync();
        }

        var sweeper = ActivatorUtilities.CreateInstance<InboxCleanupService<MessagingTestDbContext>>(host.Services);
        var deleted = await sweeper.SweepAsync(CancellationToken.None);

        await using var check = MessagingDatabase.Open();
        Assert.True(deleted >= expired.Length);
        Assert.Equal(0, await check.Set<InboxState>().CountAsync(i => expired.Contains(i.MessageId)));
        Assert.Equal(1, await check.Set<InboxState>().CountAsync(i => i.MessageId == recent));
    }

    private static async Task<int> ReceiveCountAsync(Guid messageId)
    {
        await using var db = MessagingDatabase.Open();
        return await db.Set<InboxState>().Where(i => i.MessageId == messageId).SumAsync(i => i.ReceiveCount);
    }

    /// <summary>Fails the first batch after the broker took its messages, as a crash before the delete would.</summary>
    private sealed class InterruptFirstBatch : IOutboxRelayObserver
    {
        private int _batches;

        public bool Interrupted => _batches > 0;

        public Task BatchSent(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
        {
            if (messages.Count > 0 && Interlocked.Increment(ref _batches) == 1)
            {
                throw new InvalidOperationException("simulated crash between send and delete");
            }

            return Task.CompletedTask;
        }
    }
}
