namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>A messaging test: its own queue prefix, and its queues removed from the broker afterwards.</summary>
public abstract class MessagingTest : IAsyncLifetime
{
    protected string Queues { get; } = TestNames.QueuePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => RabbitMqControl.DeleteQueuesAsync(Queues);
}
