using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Data.Webhooks;
using Intent.Messaging.Outbox;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Webhooks;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Queued → Completed for daily runs whose snapshot exists, many per transaction, beside the run saga
/// (see <see cref="AudienceRunStateMachine"/>). For a batch of <see cref="StartDailyRun"/> (each message
/// once, through the inbox), one statement locks the runs still queued, key-share locks the committed
/// snapshots of their result keys, completes those runs with the snapshots' counts as the saga's
/// <see cref="ReuseExistingSnapshot"/> does, records their audiences' refresh and writes each one's
/// <see cref="AudienceRunCompleted"/> (an <see cref="OutboxMessageTemplate"/>). In the same transaction:
/// <c>run.completed</c> for the organizations that listen, and <see cref="MaterializeAudienceRun"/> to the
/// saga for each run still queued without a snapshot. Runs no longer queued are ignored, as the saga ignores them.
/// </summary>
public sealed class StartDailyRunsConsumer(IntentDbContext db, PipelineMetrics metrics, TimeProvider clock, ILogger<StartDailyRunsConsumer> logger)
    : IConsumer<Batch<StartDailyRun>>
{
    /// <summary>Messages one batch takes at most.</summary>
    public const int MessageLimit = 250;

    private sealed record Started(Guid RunId, Guid AudienceId, Guid OrganizationId, string RunType, bool Completed, double Waited, double Age, bool Listened);

    public async Task Consume(ConsumeContext<Batch<StartDailyRun>> context)
    {
        var runIds = context.Message.Select(m => m.Message.RunId).Distinct().ToArray();
        var now = clock.GetUtcNow().UtcDateTime;
        var cancellationToken = context.CancellationToken;
        var completed = await OutboxMessageTemplate.CaptureAsync(db, context, columns => new AudienceRunCompleted
        {
            RunId = columns.Uuid("id"), ResultCount = columns.Bigint("result_count"), ResultKey = columns.Text("result_key"),
        }, runIds.Length, cancellationToken);

        await using var command = new NpgsqlCommand(
            $"""
            WITH locked AS MATERIALIZED (
                SELECT r.id, r.audience_id, r.organization_id, r.run_type, r.result_key, r.created_at, r.next_attempt_at
                FROM audience_runs r
                WHERE r.id = ANY(@runs) AND r.status = '{RunStatus.Stored.Queued}'
                ORDER BY r.id
                FOR UPDATE
            ),
            reused AS MATERIALIZED (
                SELECT l.id, s.candidate_count, s.result_count
                FROM locked l JOIN audience_snapshots s ON s.result_key = l.result_key
                FOR KEY SHARE OF s
            ),
            done AS (
                UPDATE audience_runs r
                SET status = '{RunStatus.Stored.Completed}', attempts = r.attempts + 1, started_at = @now, next_attempt_at = NULL, heartbeat_at = NULL,
                    candidate_count = u.candidate_count, result_count = u.result_count, completed_at = @now,
                    error_code = NULL, error_message = NULL, updated_at = @now
                FROM reused u
                WHERE r.id = u.id
                RETURNING r.id, r.audience_id, r.result_count, r.result_key
            ),
            refreshed AS (
                UPDATE audiences a SET audience_size = d.result_count, last_refreshed_at = @now
                FROM done d
                WHERE a.id = d.audience_id AND (a.last_refreshed_at IS NULL OR a.last_refreshed_at <= @now)
            ),
            {completed.Ctes("done")}
            SELECT l.id, l.audience_id, l.organization_id, l.run_type, d.id IS NOT NULL,
                   extract(epoch FROM @now - coalesce(l.next_attempt_at, l.created_at))::float8,
                   extract(epoch FROM @now - l.created_at)::float8,
                   d.id IS NOT NULL AND EXISTS (
                       SELECT 1 FROM webhooks w WHERE w.organization_id = l.organization_id AND w.enabled AND @completedEvent = ANY(w.events))
            FROM locked l LEFT JOIN done d ON d.id = l.id
            """,
            (NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        command.Parameters.AddWithValue("runs", runIds);
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });
        command.Parameters.AddWithValue("completedEvent", WebhookEventTypes.RunCompleted);
        command.Parameters.AddRange(completed.Parameters.ToArray());

        var started = new List<Started>(runIds.Length);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                started.Add(new Started(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetBoolean(4),
                    reader.GetDouble(5), reader.GetDouble(6), reader.GetBoolean(7)));
            }
        }

        foreach (var run in started.Where(r => !r.Completed))
        {
            await context.Publish(new MaterializeAudienceRun { RunId = run.RunId, AudienceId = run.AudienceId, OrganizationId = run.OrganizationId },
                cancellationToken);
        }

        var listened = started.Where(r => r.Listened).Select(r => r.RunId).ToList();
        if (listened.Count > 0)
        {
            var runs = await db.AudienceRuns.AsNoTracking().Where(r => listened.Contains(r.CorrelationId)).OrderBy(r => r.CorrelationId).ToListAsync(cancellationToken);
            foreach (var run in runs)
            {
                await context.Publish(WebhookEvents.For(run, WebhookEventTypes.RunCompleted, now), cancellationToken);
            }
        }

        foreach (var run in started.Where(r => r.Completed))
        {
            metrics.CompletedFromSnapshot(run.RunType, TimeSpan.FromSeconds(run.Waited), TimeSpan.FromSeconds(run.Age));
        }

        var done = started.Count(r => r.Completed);
        logger.LogInformation(
            "Daily runs started: {Completed} completed from their snapshot, {Handed} handed to the run saga to materialize, {Ignored} no longer queued",
            done, started.Count - done, runIds.Length - started.Count);
    }
}
