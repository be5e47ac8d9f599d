using Intent.Tests.Integration.Messaging.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Messaging;

[Collection(IntegrationGroup.Name)]
public sealed class SagaRepositoryTests : MessagingTest
{
    [Fact]
    public async Task Concurrent_events_for_one_instance_lose_no_update_and_each_state_publishes_once()
    {
        const int increments = 200;
        var counterId = NewId.NextGuid();
        await using var first = await MessagingTestHost.StartAsync(Queues, o => { o.Saga = true; o.ConcurrentMessageLimit = 16; });
        await using var second = await MessagingTestHost.StartAsync(Queues, o => { o.Saga = true; o.ConcurrentMessageLimit = 16; });

        var bus = first.Services.GetRequiredService<IBus>();
        var sends = Enumerable.Range(0, increments).Select(_ => bus.Publish(new IncrementCounter(counterId)));
        await Task.WhenAll(sends);

        var counter = await Eventually.MatchAsync(() => CounterAsync(counterId), c => c?.Count >= increments, TimeSpan.FromMinutes(1),
            "every increment to be applied");
        Assert.Equal(increments, counter!.Count);
        Assert.Equal("Counting", counter.CurrentState);

        var announced = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(counterId.ToString()), e => e.Count >= increments,
            TimeSpan.FromMinutes(1), "every count to be announced");
        Assert.Equal(Enumerable.Range(1, increments), announced.Select(e => e.Sequence).Order());
    }

    private static async Task<CounterState?> CounterAsync(Guid id)
    {
        await using var db = MessagingDatabase.Open();
        return await db.Counters.AsNoTracking().SingleOrDefaultAsync(c => c.CorrelationId == id);
    }
}
