using Intent.Data;
using Intent.Pipeline.Exports;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intent.Pipeline.Scheduling;

/// <summary>
/// Lets go of the files of exports past their <c>expiresAt</c> (clears their <c>storageKey</c>, which
/// queues the file for removal; the export rows stay, and asking again writes them anew), then removes
/// every queued file that is due: those of expired, replaced and deleted exports (a deleted audience's),
/// and of writes that never committed. All in bounded batches, each queue row deleted only after its file.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SweepExpiredExportsJob(IServiceScopeFactory scopes, IExportStore store, ILogger<SweepExpiredExportsJob> logger) : IJob
{
    public static readonly JobKey Key = new("sweep-expired-exports", "exports");
    private const int BatchSize = 500;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var expired = 0;
        while (true)
        {
            // Every write uses a new key, so a file let go of here is never one a new request has just written.
            var batch = await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE audience_exports SET storage_key = NULL, updated_at = now()
                WHERE id IN (
                    SELECT id FROM audience_exports
                    WHERE status = 'completed' AND expires_at < now() AND storage_key IS NOT NULL
                    ORDER BY expires_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
                """, cancellationToken);
            expired += batch;
            if (batch < BatchSize)
            {
                break;
            }
        }

        var removed = await ExportFileRemovals.RemoveDueAsync(db, store, BatchSize, logger, cancellationToken);
        if (expired > 0 || removed > 0)
        {
            logger.LogInformation("Exports sweep: {Expired} expired exports let go of their files, {Removed} files removed", expired, removed);
        }
    }
}
