using Intent.Data;
using Intent.Data.Webhooks;

namespace Intent.Pipeline.Webhooks;

/// <summary><c>run.completed</c>: the run completed.</summary>
public sealed class RaiseRunCompletedEvent<TMessage>(IntentDbContext db, TimeProvider clock) : RunWebhookEventActivity<TMessage>(db, clock)
    where TMessage : class
{
    protected override string EventType => WebhookEventTypes.RunCompleted;
}
