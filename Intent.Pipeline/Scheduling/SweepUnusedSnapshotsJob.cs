using Intent.Data;
using Intent.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Intent.Pipeline.Scheduling;

/// <summary>
/// Removes snapshots (and, by cascade, their members) that no run uses any more, once they are older
/// than <c>Runs:SnapshotRetention</c>: what is left of deleted audiences. Each batch first locks its
/// snapshots, skipping any a completing run holds, then deletes those still unused in a new statement,
/// so a run queued meanwhile keeps its snapshot; a run that would reuse a locked snapshot waits and
/// then materializes it anew.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SweepUnusedSnapshotsJob(IServiceScopeFactory scopes, IOptions<SnapshotRetentionOptions> options, ILogger<SweepUnusedSnapshotsJob> logger) : IJob
{
    public static readonly JobKey Key = new("sweep-unused-snapshots", "runs");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        long snapshots = 0, members = 0;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var candidates = await db.Database.SqlQuery<string>(
                $"""
                SELECT s.result_key AS "Value" FROM audience_snapshots s
                WHERE s.created_at < now() - {settings.SnapshotRetention}
                  AND NOT EXISTS (SELECT 1 FROM audience_runs r WHERE r.result_key = s.result_key)
                ORDER BY s.created_at
                LIMIT {settings.SnapshotSweepBatchSize}
                FOR UPDATE OF s SKIP LOCKED
                """).ToListAsync(cancellationToken);
            if (candidates.Count > 0)
            {
                var removed = (await db.Database.SqlQuery<long[]>(
                    $"""
                    WITH removed AS (
                        DELETE FROM audience_snapshots s
                        WHERE s.result_key = ANY({candidates.ToArray()}::bpchar[])
                          AND NOT EXISTS (SELECT 1 FROM audience_runs r WHERE r.result_key = s.result_key)
                        RETURNING s.result_count
                    )
                    SELECT ARRAY[count(*), coalesce(sum(result_count), 0)::bigint] AS "Value" FROM removed
                    """).ToListAsync(cancellationToken)).Single();
                snapshots += removed[0];
                members += removed[1];
            }

            await transaction.CommitAsync(cancellationToken);
            if (candidates.Count < settings.SnapshotSweepBatchSize)
            {
                break;
            }
        }

        if (snapshots > 0)
        {
            logger.LogInformation("Removed {Snapshots} snapshots no run uses ({Members} members), older than {Retention}",
                snapshots, members, settings.SnapshotRetention);
        }
    }
}
