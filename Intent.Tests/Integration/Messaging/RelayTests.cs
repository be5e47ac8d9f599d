using Intent.Messaging.Configuration;
using Intent.Messaging.Outbox;
using Intent.Messaging.Relay;
using Intent.Tests.Integration.Messaging.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

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
    public async Task A_backlog_found_by_one_wake_up_is_drained_by_several_loops_side_by_side()
    {
        var observer = new ConcurrentBatches(TimeSpan.FromMilliseconds(300));
        await using var relay = await MessagingTestHost.StartAsync(Queues, o =>
        {
            o.Consumers = false;
            o.RelayObserver = observer;
            o.Outbox = outbox =>
            {
                outbox.RelayBatchSize = 5;
                outbox.RelayLoops = 4;
                outbox.PollInterval = TimeSpan.FromMinutes(5);
            };
        });
        await using var writer = await MessagingTestHost.StartAsync(Queues, o =>
        {
            o.Relay = false;
            o.Consumers = false;
            o.Outbox = outbox => outbox.WakeUpOtherProcesses = false;
        });

        // The relay's first poll at start is behind it; 40 outboxes are committed without waking it, then one wake-up comes.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var group = TestNames.Group();
        await Parallel.ForEachAsync(Enumerable.Range(1, 40), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            await writer.PublishInTransactionAsync([new TestEvent(group, i)]));
        Assert.Equal(40, await MessagingDatabase.OutboxRowsAsync());
        Assert.Equal(0, observer.Batches);

        string channel;
        await using (var scope = writer.Services.CreateAsyncScope())
        {
            channel = OutboxTableNames.FromModel(scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>().Model).Channel;
        }

        await using (var connection = new NpgsqlConnection(TestSettings.ConnectionString))
        {
            await connection.OpenAsync();
            await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, '')", connection);
            notify.Parameters.AddWithValue("channel", channel);
            await notify.ExecuteNonQueryAsync();
        }

        await Eventually.MatchAsync(() => MessagingDatabase.OutboxRowsAsync(), rows => rows == 0, TimeSpan.FromMinutes(1), "the outbox to drain");
        Assert.Equal(8, observer.Batches);
        Assert.True(observer.MostAtOnce > 1, $"the batches were sent one at a time ({observer.MostAtOnce} at most)");
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

    /// <summary>Counts relay batches and how many were on their way at once; each takes a while after its sends.</summary>
    private sealed class ConcurrentBatches(TimeSpan hold) : IOutboxRelayObserver
    {
        private readonly Lock _lock = new();
        private int _now;

        public int MostAtOnce { get; private set; }

        public int Batches { get; private set; }

        public async Task BatchSent(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                Batches++;
                MostAtOnce = Math.Max(MostAtOnce, ++_now);
            }

            try
            {
                await Task.Delay(hold, cancellationToken);
            }
            finally
            {
                lock (_lock)
                {
                    _now--;
                }
            }
        }
    }
}
