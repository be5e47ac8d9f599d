using MassTransit;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>Records each <see cref="TestEvent"/> it handles as a <see cref="TestEffect"/> row.</summary>
public sealed class TestEventConsumer(MessagingTestDbContext db) : IConsumer<TestEvent>
{
    public Task Consume(ConsumeContext<TestEvent> context)
    {
        db.Effects.Add(Effect.Of(context, nameof(TestEventConsumer), context.Message.Group, context.Message.Sequence));
        return Task.CompletedTask;
    }
}

/// <summary>Records each <see cref="TestCommand"/> it handles.</summary>
public sealed class TestCommandConsumer(MessagingTestDbContext db) : IConsumer<TestCommand>
{
    public Task Consume(ConsumeContext<TestCommand> context)
    {
        db.Effects.Add(Effect.Of(context, nameof(TestCommandConsumer), context.Message.Group, context.Message.Sequence));
        return Task.CompletedTask;
    }
}

/// <summary>Records each <see cref="TestBatchItem"/> of the batches it handles.</summary>
public sealed class TestBatchConsumer(MessagingTestDbContext db) : IConsumer<Batch<TestBatchItem>>
{
    public Task Consume(ConsumeContext<Batch<TestBatchItem>> context)
    {
        foreach (var item in context.Message)
        {
            db.Effects.Add(Effect.Of(item, nameof(TestBatchConsumer), item.Message.Group, item.Message.Sequence));
        }

        return Task.CompletedTask;
    }
}

/// <summary>Records each count the counter saga announces.</summary>
public sealed class CounterChangedConsumer(MessagingTestDbContext db) : IConsumer<CounterChanged>
{
    public Task Consume(ConsumeContext<CounterChanged> context)
    {
        db.Effects.Add(Effect.Of(context, nameof(CounterChangedConsumer), context.Message.CounterId.ToString(), context.Message.Count));
        return Task.CompletedTask;
    }
}

internal static class Effect
{
    public const string HeaderName = "X-Test-Header";

    public static TestEffect Of(ConsumeContext context, string consumer, string group, int sequence) => new()
    {
        MessageId = context.MessageId ?? Guid.Empty,
        Consumer = consumer,
        Group = group,
        Sequence = sequence,
        Header = context.Headers.Get<string>(HeaderName),
        ContentType = context.ReceiveContext.ContentType?.MediaType,
        DestinationAddress = context.DestinationAddress?.ToString(),
    };
}
