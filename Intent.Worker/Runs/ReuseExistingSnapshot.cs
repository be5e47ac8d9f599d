using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Intent.Worker.Runs;

/// <summary>
/// When a snapshot with the run's result key is already committed, the run takes its counts and
/// completes in this same transaction: no materialization message, no second transaction.
/// </summary>
public sealed class ReuseExistingSnapshot(IntentDbContext db) : IStateMachineActivity<AudienceRun, MaterializeAudienceRun>
{
    public async Task Execute(BehaviorContext<AudienceRun, MaterializeAudienceRun> context, IBehavior<AudienceRun, MaterializeAudienceRun> next)
    {
        var run = context.Saga;
        if (run.ResultKey is { } key)
        {
            var snapshot = await db.AudienceSnapshots.AsNoTracking()
                .Where(s => s.ResultKey == key)
                .Select(s => new { s.CandidateCount, s.ResultCount })
                .SingleOrDefaultAsync(context.CancellationToken);
            if (snapshot is not null)
            {
                RunTransitions.Complete(run, new AudienceSnapshotMaterialized
                {
                    RunId = run.CorrelationId, CandidateCount = snapshot.CandidateCount, ResultCount = snapshot.ResultCount, ResultKey = key, Reused = true,
                });
            }
        }

        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<AudienceRun, MaterializeAudienceRun, TException> context,
        IBehavior<AudienceRun, MaterializeAudienceRun> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("reuse-existing-snapshot");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
