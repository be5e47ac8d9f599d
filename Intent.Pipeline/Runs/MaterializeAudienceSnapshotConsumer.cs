using System.Globalization;
using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Builds the snapshot of a running attempt in the consumer-outbox transaction, renewing the run's
/// lease meanwhile, and reports the outcome to the run saga. A failure the database reports is rolled
/// back to a savepoint and reported as retryable or not; a run no longer running this attempt is left alone.
/// </summary>
public sealed class MaterializeAudienceSnapshotConsumer(
    IntentDbContext db,
    IConfiguration configuration,
    IOptions<RunAttemptOptions> options,
    ILogger<MaterializeAudienceSnapshotConsumer> logger)
    : IConsumer<MaterializeAudienceSnapshot>
{
    public async Task Consume(ConsumeContext<MaterializeAudienceSnapshot> context)
    {
        var message = context.Message;
        var run = await db.AudienceRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == message.RunId, context.CancellationToken);
        if (run is null || run.Status != RunStatus.Running || !RunAttempts.IsCurrent(run, message.Attempt))
        {
            logger.LogInformation("Run {RunId} is not running attempt {Attempt} ({Status}, attempt {Current}); nothing to materialize",
                message.RunId, message.Attempt, run?.Status, run?.Attempts);
            return;
        }

        var transaction = db.Database.CurrentTransaction!;
        var materializer = new AudienceMaterializer((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());

        if (run.DataDate is not { } dataDate || !await materializer.HasCompleteDataAsync(dataDate, context.CancellationToken))
        {
            await ReportFailureAsync(context, run, new MaterializationFailures.Classified(
                MaterializationFailures.NoIntentData,
                run.DataDate is null
                    ? "No complete intent data was available when the run was queued."
                    : $"No complete intent data for {run.DataDate.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.",
                Retryable: false));
            return;
        }

        var settings = options.Value;
        AudienceMaterializer.Result result;
        await using (RunHeartbeat.Start(configuration.GetIntentConnectionString(), run.CorrelationId, run.Attempts, settings.EffectiveHeartbeatInterval, logger))
        {
            await transaction.CreateSavepointAsync("materialize", context.CancellationToken);
            try
            {
                await materializer.LimitAsync(settings.LockTimeout, settings.StatementTimeout, context.CancellationToken);
                result = await materializer.MaterializeAsync(run, dataDate, context.CancellationToken);
            }
            catch (Exception e) when (MaterializationFailures.Classify(e) is { } failure)
            {
                await transaction.RollbackToSavepointAsync("materialize", context.CancellationToken);
                logger.LogWarning(e, "Run {RunId} attempt {Attempt} failed: {Code}", run.CorrelationId, run.Attempts, failure.Code);
                await ReportFailureAsync(context, run, failure);
                return;
            }
            catch (Exception e) when (LogUnexpected(e, run))
            {
                throw;
            }
        }

        logger.LogInformation("Run {RunId}: {Candidates} candidates, {Results} results ({Source})",
            run.CorrelationId, result.CandidateCount, result.ResultCount, result.Reused ? "reused snapshot" : "materialized");
        await context.Publish(new AudienceSnapshotMaterialized
        {
            RunId = run.CorrelationId,
            Attempt = run.Attempts,
            CandidateCount = result.CandidateCount,
            ResultCount = result.ResultCount,
            ResultKey = result.ResultKey,
            Reused = result.Reused,
        });
    }

    /// <summary>Logs a failure left to the message retry with its run, where the fault the saga records says only that it failed.</summary>
    private bool LogUnexpected(Exception exception, AudienceRun run)
    {
        logger.LogWarning(exception, "Run {RunId} attempt {Attempt}: materialization failed unexpectedly; the message is retried", run.CorrelationId, run.Attempts);
        return false;
    }

    private static Task ReportFailureAsync(ConsumeContext context, AudienceRun run, MaterializationFailures.Classified failure) =>
        context.Publish(new AudienceSnapshotFailed
        {
            RunId = run.CorrelationId,
            Attempt = run.Attempts,
            ErrorCode = failure.Code,
            ErrorMessage = failure.Message,
            Retryable = failure.Retryable,
        });
}
