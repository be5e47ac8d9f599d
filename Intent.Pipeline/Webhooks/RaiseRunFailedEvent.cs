using Intent.Data;
using Intent.Data.Webhooks;

namespace Intent.Pipeline.Webhooks;

/// <summary><c>run.failed</c>: the run failed for good.</summary>
public sealed class RaiseRunFailedEvent<TMessage>(IntentDbContext db, TimeProvider clock) : RunWebhookEventActivity<TMessage>(db, clock)
    where TMessage : class
{
    protected override string EventType => WebhookEventTypes.RunFailed;
}
