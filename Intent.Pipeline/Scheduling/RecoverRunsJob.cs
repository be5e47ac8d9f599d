using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Pipeline.Diagnostics;
using Intent.Data.Runs;
using Intent.Pipeline.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace Intent.Pipeline.Scheduling;

/// <summary>
/// Looks for runs whose worker is gone: running attempts a worker picked up but stopped renewing the
/// lease of (an attempt still waiting in the queue holds no lease) get a
/// <see cref="RecoverStuckRun"/> (the saga checks the lease again and takes the run back as a new
/// attempt), and queued runs whose retry is overdue by more than the lease (their timer lost) get
/// <see cref="MaterializeAudienceRun"/> again. Both go through the bus outbox, in bounded batches.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RecoverRunsJob(IServiceScopeFactory scopes, IOptions<RunAttemptOptions> options, PipelineMetrics metrics, ILogger<RecoverRunsJob> logger) : IJob
{
    public static readonly JobKey Key = new("recover-runs", "runs");
    private const int BatchSize = 500;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        await using var command = new NpgsqlCommand(
            $"""
            (SELECT 'stuck', id, audience_id, organization_id, attempts FROM audience_runs
             WHERE status = '{RunStatus.Stored.Running}' AND heartbeat_at < now() - @lease
             ORDER BY heartbeat_at LIMIT @batch)
            UNION ALL
            (SELECT 'overdue', id, audience_id, organization_id, attempts FROM audience_runs
             WHERE status = '{RunStatus.Stored.Queued}' AND next_attempt_at IS NOT NULL AND next_attempt_at < now() - @lease
             ORDER BY next_attempt_at LIMIT @batch)
            """,
            (NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction)transaction.GetDbTransaction());
        command.Parameters.AddWithValue("lease", options.Value.Lease);
        command.Parameters.AddWithValue("batch", BatchSize);

        int stuck = 0, overdue = 0;
        var messages = new List<object>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var runId = reader.GetGuid(1);
                if (reader.GetString(0) == "stuck")
                {
                    stuck++;
                    messages.Add(new RecoverStuckRun { RunId = runId, Attempt = reader.GetInt32(4) });
                }
                else
                {
                    overdue++;
                    messages.Add(new MaterializeAudienceRun { RunId = runId, AudienceId = reader.GetGuid(2), OrganizationId = reader.GetGuid(3) });
                }
            }
        }

        if (messages.Count == 0)
        {
            return;
        }

        foreach (var message in messages)
        {
            await publisher.Publish(message, message.GetType(), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.Recovered("stuck", stuck);
        metrics.Recovered("overdue", overdue);
        logger.LogWarning("Recovery: {Stuck} running runs without a heartbeat for {Lease}, {Overdue} overdue retries sent again",
            stuck, options.Value.Lease, overdue);
    }
}
