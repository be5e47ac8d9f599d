using MassTransit;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>Counts increments; every count it reaches is announced once, from the same transaction.</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Incremented, e => e.CorrelateById(m => m.Message.CounterId));

        Initially(
            When(Incremented)
                .Then(c => c.Saga.Count++)
                .Publish(c => new CounterChanged(c.Saga.CorrelationId, c.Saga.Count))
                .TransitionTo(Counting));

        During(
            Counting,
            When(Incremented)
                .Then(c => c.Saga.Count++)
                .Publish(c => new CounterChanged(c.Saga.CorrelationId, c.Saga.Count)));
    }

    public State Counting { get; private set; } = null!;

    public Event<IncrementCounter> Incremented { get; private set; } = null!;
}
