using Intent.Contracts.Exports;
using Intent.Data;
using Intent.Data.Exports;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Worker.Exports;

/// <summary>
/// Writes a processing export's CSV from PostgreSQL's COPY straight into the export store (bounded
/// memory, hashed and counted on the way), then marks it completed, in the consumer-outbox
/// transaction. A file that cannot be written marks the export failed; asking again retries it.
/// </summary>
public sealed class WriteAudienceExportConsumer(
    IntentDbContext db,
    IExportStore store,
    IOptions<ExportOptions> options,
    TimeProvider clock,
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
        var previousKey = export.StorageKey;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!;
        ExportCsv.Written? written = null;
        await transaction.CreateSavepointAsync("export", context.CancellationToken);
        try
        {
            await store.WriteAsync(key, async file => written = await ExportCsv.CopyAsync(connection, resultKey, file, context.CancellationToken),
                context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await transaction.RollbackToSavepointAsync("export", context.CancellationToken);
            logger.LogWarning(e, "Export {ExportId} of run {RunId} could not be written", export.Id, export.RunId);
            await FailAsync(context, export, $"{e.GetType().Name}: {e.Message}");
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
        await db.SaveChangesAsync(context.CancellationToken);
        if (previousKey is not null && previousKey != key)
        {
            // The file of the expired export this one replaces.
            await store.DeleteAsync(previousKey, context.CancellationToken);
        }

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
