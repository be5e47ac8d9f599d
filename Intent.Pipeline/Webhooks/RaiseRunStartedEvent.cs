using Intent.Data;
using Intent.Data.Webhooks;

namespace Intent.Pipeline.Webhooks;

/// <summary><c>run.started</c>: the run entered running.</summary>
public sealed class RaiseRunStartedEvent<TMessage>(IntentDbContext db, TimeProvider clock) : RunWebhookEventActivity<TMessage>(db, clock)
    where TMessage : class
{
    protected override string EventType => WebhookEventTypes.RunStarted;
}
