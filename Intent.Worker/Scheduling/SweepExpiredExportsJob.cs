using Intent.Data;
using Intent.Data.Exports;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intent.Worker.Scheduling;

/// <summary>
/// Removes the stored files of exports past their <c>expiresAt</c> (in bounded batches) and clears
/// their <c>storageKey</c>; the export rows stay. Asking for such an export again writes it anew.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SweepExpiredExportsJob(IServiceScopeFactory scopes, IExportStore store, ILogger<SweepExpiredExportsJob> logger) : IJob
{
    public static readonly JobKey Key = new("sweep-expired-exports", "exports");
    private const int BatchSize = 500;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var removed = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
            // Claim the files first (clear their keys), then remove them: every write uses a new key,
            // so a file removed here is never one a new request has just written.
            var expired = await db.Database.SqlQuery<string>(
                $"""
                WITH claimed AS (
                    SELECT id, storage_key FROM audience_exports
                    WHERE status = 'completed' AND expires_at < now() AND storage_key IS NOT NULL
                    ORDER BY expires_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                ), cleared AS (
                    UPDATE audience_exports e SET storage_key = NULL, updated_at = now() FROM claimed c WHERE e.id = c.id
                )
                SELECT storage_key AS "Value" FROM claimed
                """).ToListAsync(cancellationToken);
            foreach (var key in expired)
            {
                await store.DeleteAsync(key, cancellationToken);
            }

            removed += expired.Count;
            if (expired.Count < BatchSize)
            {
                break;
            }
        }

        if (removed > 0)
        {
            logger.LogInformation("Removed the files of {Count} expired exports", removed);
        }
    }
}
