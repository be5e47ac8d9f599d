using MassTransit;

namespace Intent.Tests.Integration.Messaging.Support;

public sealed class CounterState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = "";

    public int Count { get; set; }
}
