using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Intent.Worker.Runs;

/// <summary>
/// Builds the snapshot of a running run in the consumer-outbox transaction and reports the outcome
/// to the run saga. A run that is no longer running is left alone.
/// </summary>
public sealed class MaterializeAudienceSnapshotConsumer(IntentDbContext db, ILogger<MaterializeAudienceSnapshotConsumer> logger)
    : IConsumer<MaterializeAudienceSnapshot>
{
    public const string NoIntentData = "NO_INTENT_DATA";

    public async Task Consume(ConsumeContext<MaterializeAudienceSnapshot> context)
    {
        var run = await db.AudienceRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == context.Message.RunId, context.CancellationToken);
        if (run is null || run.Status != RunStatus.Running)
        {
            logger.LogInformation("Run {RunId} is not running ({Status}); nothing to materialize", context.Message.RunId, run?.Status);
            return;
        }

        var materializer = new AudienceMaterializer(
            (NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());

        if (run.DataDate is not { } dataDate || !await materializer.HasCompleteDataAsync(dataDate, context.CancellationToken))
        {
            await context.Publish(new AudienceSnapshotFailed
            {
                RunId = run.CorrelationId,
                ErrorCode = NoIntentData,
                ErrorMessage = run.DataDate is null
                    ? "No complete intent data was available when the run was queued."
                    : $"No complete intent data for {run.DataDate:yyyy-MM-dd}.",
            });
            return;
        }

        var result = await materializer.MaterializeAsync(run, dataDate, context.CancellationToken);
        logger.LogInformation("Run {RunId}: {Candidates} candidates, {Results} results ({Source})",
            run.CorrelationId, result.CandidateCount, result.ResultCount, result.Reused ? "reused snapshot" : "materialized");
        await context.Publish(new AudienceSnapshotMaterialized
        {
            RunId = run.CorrelationId,
            CandidateCount = result.CandidateCount,
            ResultCount = result.ResultCount,
            ResultKey = result.ResultKey,
            Reused = result.Reused,
        });
    }
}
