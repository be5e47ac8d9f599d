using Intent.Contracts.Exports;
using Intent.Contracts.Webhooks;
using Intent.Data.Webhooks;
using Intent.Pipeline.Webhooks;
using Intent.Data;
using Intent.Pipeline.Diagnostics;
using Intent.Data.Exports;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Pipeline.Exports;

/// <summary>
/// Writes a processing export's CSV from PostgreSQL's COPY straight into the export store (bounded
/// memory, hashed and counted on the way), then marks it completed (with its <c>export.completed</c> webhook event) in the consumer-outbox
/// transaction. The new file is queued for removal before it is written and claimed when the export
/// commits, so a write that never commits (a crash, the audience deleted meanwhile) leaves no file for
/// good. A file that cannot be written marks the export failed with a safe sentence (details in the
/// log); asking again retries it.
/// </summary>
public sealed class WriteAudienceExportConsumer(
    IntentDbContext db,
    IExportStore store,
    IOptions<ExportOptions> options,
    IConfiguration configuration,
    TimeProvider clock,
    PipelineMetrics metrics,
    ILogger<WriteAudienceExportConsumer> logger) : IConsumer<WriteAudienceExport>
{
    public const string ExportFailed = "EXPORT_FAILED";

    public async Task Consume(ConsumeContext<WriteAudienceExport> context)
    {
        var export = await db.AudienceExports.SingleOrDefaultAsync(e => e.Id == context.Message.ExportId, context.CancellationToken);
        if (export is null || export.Status != ExportStatus.Processing)
        {
            return;
        }

        var resultKey = await db.AudienceRuns.AsNoTracking()
            .Where(r => r.CorrelationId == export.RunId && r.Status == RunStatus.Completed)
            .Select(r => r.ResultKey)
            .SingleOrDefaultAsync(context.CancellationToken);
        if (resultKey is null)
        {
            await FailAsync(context, export, "The run is not completed; it has nothing to export.");
            return;
        }

        // A new key for every write: a sweep removing an expired file never removes a newer one.
        var key = $"{export.OrganizationId:N}/{export.Id:N}-{Guid.NewGuid():N}.csv";
        await ExportFileRemovals.RegisterUnfinishedAsync(configuration.GetIntentConnectionString(), key, store.Provider, context.CancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!;
        ExportCsv.Written? written = null;
        var started = clock.GetTimestamp();
        await transaction.CreateSavepointAsync("export", context.CancellationToken);
        try
        {
            await store.WriteAsync(key,
                async file => written = await ExportCsv.CopyAsync(connection, resultKey, options.Value.NeutralizeFormulas, file, context.CancellationToken),
                context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await transaction.RollbackToSavepointAsync("export", context.CancellationToken);
            metrics.ExportFailed(clock.GetElapsedTime(started));
            logger.LogWarning(e, "Export {ExportId} of run {RunId} could not be written", export.Id, export.RunId);
            await FailAsync(context, export, "The export file could not be written; ask for the export again.");
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        export.Status = ExportStatus.Completed;
        export.ByteSize = written!.ByteSize;
        export.RowCount = written.RowCount;
        export.ContentSha256 = written.Sha256;
        export.StorageProvider = store.Provider;
        export.StorageKey = key;
        export.CompletedAt = now;
        export.ExpiresAt = now + options.Value.Retention;
        export.UpdatedAt = now;
        try
        {
            // The file this one replaces, if any, is queued for removal by the table's trigger.
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Nothing of the export is left to save with the messages this transaction commits.
            db.Entry(export).State = EntityState.Detached;
            logger.LogInformation("Export {ExportId} of run {RunId} was deleted while it was written; its file is removed", export.Id, export.RunId);
            await ExportFileRemovals.RemoveNowAsync(db, store, [key], logger, context.CancellationToken);
            return;
        }

        if (!await ExportFileRemovals.ClaimAsync(db, key, context.CancellationToken))
        {
            throw new InvalidOperationException($"Export {export.Id}: the write took longer than {ExportFileRemovals.UnfinishedWriteGrace} and its file was given up");
        }

        if (await WebhookEvents.SubscribedAsync(db, export.OrganizationId, WebhookEventTypes.ExportCompleted, context.CancellationToken))
        {
            await context.Publish(new FanOutWebhookEvent
            {
                EventId = Guid.CreateVersion7(),
                OrganizationId = export.OrganizationId,
                RunId = export.RunId,
                Type = WebhookEventTypes.ExportCompleted,
                OccurredAt = now,
                Payload = WebhookEvents.Payload(WebhookEventTypes.ExportCompleted, now, ExportBody.From(export)),
            });
        }

        metrics.ExportWritten(written.ByteSize, written.RowCount, clock.GetElapsedTime(started));
        logger.LogInformation("Export {ExportId} of run {RunId}: {Rows} rows, {Bytes} bytes", export.Id, export.RunId, written.RowCount, written.ByteSize);
        await context.Publish(new AudienceExportCompleted { ExportId = export.Id, RunId = export.RunId });
    }

    private async Task FailAsync(ConsumeContext context, AudienceExport export, string message)
    {
        export.Status = ExportStatus.Failed;
        export.ErrorCode = ExportFailed;
        export.ErrorMessage = message.Length > 2000 ? message[..2000] : message;
        export.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        await context.Publish(new AudienceExportFailed { ExportId = export.Id, RunId = export.RunId, ErrorCode = ExportFailed, ErrorMessage = export.ErrorMessage });
    }
}
