using Intent.Messaging.Diagnostics;
using Intent.Tests.Integration.Messaging.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Messaging;

/// <summary>The outbox and inbox instruments count what the relay and the inbox do, labelled by destination only.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class OutboxMetricsTests : MessagingTest
{
    [Fact]
    public async Task The_inbox_counts_a_duplicate_it_skips_under_its_queue()
    {
        await using var host = await MessagingTestHost.StartAsync(Queues);
        using var measurements = new OutboxMeasurements(host.Services);
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();
        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<TestCommandConsumer>();
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));

        await endpoint.Send(new TestCommand(group, 1), context => context.MessageId = messageId);
        await endpoint.Send(new TestCommand(group, 1), context => context.MessageId = messageId);

        await Eventually.MatchAsync(() => Task.FromResult(measurements.Sum("intent.inbox.duplicates", queue)), count => count >= 1,
            because: "the second copy to be counted as a duplicate");
        Assert.Single(await MessagingDatabase.EffectsAsync(group));
        Assert.Equal(1, measurements.Sum("intent.inbox.duplicates"));
    }

    [Fact]
    public async Task Failed_sends_are_counted_with_their_error_type_and_a_later_relay_counts_the_delivery()
    {
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();
        const string exchange = "Intent.Tests.Integration.Messaging.Support:TestEvent";
        await using (var failing = await MessagingTestHost.StartAsync(Queues, options => options.Outbox = o => o.SendTimeout = TimeSpan.FromTicks(1)))
        {
            using var measurements = new OutboxMeasurements(failing.Services);
            await failing.PublishInTransactionAsync([new TestEvent(group, 1)], configure: context => context.MessageId = messageId);

            await Eventually.MatchAsync(() => Task.FromResult(measurements.Sum("intent.outbox.delivery.failures", exchange)), count => count >= 1,
                because: "the timed-out send to be counted");
            Assert.All(measurements.Tags("intent.outbox.delivery.failures"), tags =>
                Assert.EndsWith("CanceledException", tags[OutboxMetrics.ErrorTypeTag] as string, StringComparison.Ordinal));
            Assert.True(measurements.Sum("intent.outbox.relay.batch.size") >= 1);
            Assert.Equal(0, measurements.Sum("intent.outbox.messages.delivered", exchange));
            Assert.Equal(1, await MessagingDatabase.OutboxRowsAsync([messageId]));
        }

        await using var relay = await MessagingTestHost.StartAsync(Queues);
        using var delivered = new OutboxMeasurements(relay.Services);
        await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), effects => effects.Count == 1, because: "the message to be delivered");
        Assert.Equal(0, await MessagingDatabase.OutboxRowsAsync([messageId]));

        // The relay wakes as it starts and may deliver before the measurements attach: count a delivery made after.
        await relay.PublishInTransactionAsync([new TestEvent(group, 2)]);
        await Eventually.MatchAsync(() => Task.FromResult(delivered.Sum("intent.outbox.messages.delivered", exchange)), count => count >= 1,
            because: "the relay's delivery to be counted");
    }
}
