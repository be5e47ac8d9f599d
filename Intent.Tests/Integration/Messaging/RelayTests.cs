using Intent.Tests.Integration.Messaging.Support;

namespace Intent.Tests.Integration.Messaging;

[Collection(IntegrationGroup.Name)]
public sealed class RelayTests : MessagingTest
{
    [Fact]
    public async Task Two_delivery_services_share_5000_messages_each_consumed_once_in_order_within_its_outbox()
    {
        const int outboxes = 100;
        const int perOutbox = 50;
        var groups = Enumerable.Range(0, outboxes).Select(_ => TestNames.Group()).ToArray();

        // One consumer in queue order, so arrival order is the order the broker received them in.
        await using var consumer = await MessagingTestHost.StartAsync(Queues, o => { o.Relay = false; o.ConcurrentMessageLimit = 1; });
        await using (var writer = await MessagingTestHost.StartAsync(Queues, o => { o.Relay = false; o.Consumers = false; }))
        {
            await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (group, _) =>
                await writer.PublishInTransactionAsync(Enumerable.Range(1, perOutbox).Select(i => new TestEvent(group, i))));
        }

        Assert.Equal(outboxes * perOutbox, await MessagingDatabase.OutboxRowsAsync());
        await using var relayA = await MessagingTestHost.StartAsync(Queues, o => o.Consumers = false);
        await using var relayB = await MessagingTestHost.StartAsync(Queues, o => o.Consumers = false);

        await Eventually.MatchAsync(() => MessagingDatabase.OutboxRowsAsync(), rows => rows == 0, TimeSpan.FromMinutes(2), "the outbox to drain");
        foreach (var group in groups)
        {
            var effects = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), e => e.Count >= perOutbox, TimeSpan.FromMinutes(2),
                $"group {group} to be consumed");
            Assert.Equal(Enumerable.Range(1, perOutbox), effects.Select(e => e.Sequence));
        }

        Assert.Equal(0, await MessagingDatabase.RedeliveredAsync(groups));
    }

    [Fact]
    public async Task Messages_committed_while_RabbitMQ_is_stopped_are_all_consumed_once_after_it_returns()
    {
        const int transactions = 50;
        const int perTransaction = 10;
        var group = TestNames.Group();
        await using var host = await MessagingTestHost.StartAsync(Queues);

        await RabbitMqControl.StopAsync();
        try
        {
            for (var t = 0; t < transactions; t++)
            {
                var first = t * perTransaction;
                await host.PublishInTransactionAsync(Enumerable.Range(first + 1, perTransaction).Select(i => new TestEvent(group, i)));
            }

            Assert.Equal(transactions * perTransaction, await MessagingDatabase.OutboxRowsAsync());
        }
        finally
        {
            await RabbitMqControl.StartAsync();
        }

        var effects = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), e => e.Count >= transactions * perTransaction,
            TimeSpan.FromMinutes(2), "every message to be consumed after the broker returned");
        Assert.Equal(Enumerable.Range(1, transactions * perTransaction), effects.Select(e => e.Sequence).Order());
        await Eventually.MatchAsync(() => MessagingDatabase.OutboxRowsAsync(), rows => rows == 0, because: "the outbox to drain");
    }
}
