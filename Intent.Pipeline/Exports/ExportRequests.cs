using Intent.Contracts.Exports;
using Intent.Data;
using Intent.Data.Exports;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Intent.Pipeline.Exports;

/// <summary>
/// "Create or reuse" a run's stored CSV export, in the caller's transaction: a new export (or one that
/// failed or expired) becomes <c>processing</c> and its <see cref="WriteAudienceExport"/> goes out through
/// the outbox with it; an export already processing or completed is returned as it is. The unique
/// index on (run, type) makes concurrent requests share one export and one write.
/// </summary>
public static class ExportRequests
{
    public static async Task<AudienceExport> RequestAsync(IntentDbContext db, IPublishEndpoint publisher, AudienceRun run, CancellationToken cancellationToken)
    {
        var requested = await db.Database.SqlQuery<Guid>(
            $"""
            INSERT INTO audience_exports AS e (id, organization_id, audience_id, run_id, export_type, status, content_type, created_at, updated_at)
            VALUES ({Guid.CreateVersion7()}, {run.OrganizationId}, {run.AudienceId}, {run.CorrelationId}, 'csv', 'processing', 'text/csv; charset=utf-8', now(), now())
            ON CONFLICT (run_id, export_type) DO UPDATE
                SET status = 'processing', error_code = NULL, error_message = NULL, completed_at = NULL, expires_at = NULL, updated_at = now()
                WHERE e.status = 'failed' OR (e.status = 'completed' AND e.expires_at <= now())
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);

        if (requested.Count == 1)
        {
            await publisher.Publish(new WriteAudienceExport { ExportId = requested[0], RunId = run.CorrelationId }, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        return await db.AudienceExports.AsNoTracking()
            .SingleAsync(e => e.RunId == run.CorrelationId && e.ExportType == ExportTypes.Csv, cancellationToken);
    }

    /// <summary>Whether the export's file can be downloaded now.</summary>
    public static bool IsDownloadable(AudienceExport export, DateTime now) =>
        export.Status == ExportStatus.Completed && (export.ExpiresAt is null || export.ExpiresAt > now);
}
