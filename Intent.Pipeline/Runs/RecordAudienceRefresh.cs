using Intent.Data;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Intent.Pipeline.Runs;

/// <summary>A completed run becomes its audience's size and last refresh, in the saga's transaction.</summary>
public sealed class RecordAudienceRefresh<TMessage>(IntentDbContext db) : IStateMachineActivity<AudienceRun, TMessage>
    where TMessage : class
{
    public async Task Execute(BehaviorContext<AudienceRun, TMessage> context, IBehavior<AudienceRun, TMessage> next)
    {
        var run = context.Saga;
        await db.Audiences
            .Where(a => a.Id == run.AudienceId && (a.LastRefreshedAt == null || a.LastRefreshedAt <= run.CompletedAt))
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.AudienceSize, run.ResultCount).SetProperty(x => x.LastRefreshedAt, run.CompletedAt),
                context.CancellationToken);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<AudienceRun, TMessage, TException> context,
        IBehavior<AudienceRun, TMessage> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("record-audience-refresh");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
