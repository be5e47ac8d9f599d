using Intent.Data;
using Intent.Data.Runs;
using MassTransit;

namespace Intent.Pipeline.Webhooks;

/// <summary>A step of the run saga that writes the webhook event of the transition just made, in the saga's transaction.</summary>
public abstract class RunWebhookEventActivity<TMessage>(IntentDbContext db, TimeProvider clock) : IStateMachineActivity<AudienceRun, TMessage>
    where TMessage : class
{
    /// <summary>The event type the transition reports.</summary>
    protected abstract string EventType { get; }

    public async Task Execute(BehaviorContext<AudienceRun, TMessage> context, IBehavior<AudienceRun, TMessage> next)
    {
        await WebhookEvents.RaiseAsync(db, context, context.Saga, EventType, clock.GetUtcNow().UtcDateTime, context.CancellationToken);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<AudienceRun, TMessage, TException> context, IBehavior<AudienceRun, TMessage> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope($"webhook-event-{EventType}");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
