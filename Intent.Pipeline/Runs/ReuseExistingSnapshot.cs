using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Intent.Pipeline.Runs;

/// <summary>
/// When a snapshot with the run's result key is already committed, the run takes its counts and
/// completes in this same transaction: no materialization message, no second transaction. The snapshot
/// row is key-share locked until then, so the snapshot sweep cannot remove it under the completing run.
/// </summary>
public sealed class ReuseExistingSnapshot(IntentDbContext db, TimeProvider clock) : IStateMachineActivity<AudienceRun, MaterializeAudienceRun>
{
    public async Task Execute(BehaviorContext<AudienceRun, MaterializeAudienceRun> context, IBehavior<AudienceRun, MaterializeAudienceRun> next)
    {
        var run = context.Saga;
        if (run.ResultKey is { } key)
        {
            var counts = await db.Database.SqlQuery<long[]>(
                $"SELECT ARRAY[candidate_count, result_count] AS \"Value\" FROM audience_snapshots WHERE result_key = {key}::bpchar FOR KEY SHARE")
                .ToListAsync(context.CancellationToken);
            if (counts is [[var candidates, var results]])
            {
                RunTransitions.Complete(run, new AudienceSnapshotMaterialized
                {
                    RunId = run.CorrelationId, CandidateCount = candidates, ResultCount = results, ResultKey = key, Reused = true,
                }, clock.GetUtcNow().UtcDateTime);
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
