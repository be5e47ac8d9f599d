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
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Quartz;

namespace Intent.Pipeline.Scheduling;

/// <summary>
/// Queues a daily run for every active audience with daily refresh on, for the latest complete data
/// date, in batches: one statement per batch inserts its runs and the outbox rows of their
/// <see cref="StartDailyRun"/> (an <see cref="OutboxMessageTemplate"/>: the same rows the bus outbox writes
/// for a publish of each; <see cref="Runs.StartDailyRunsConsumer"/> completes the runs whose snapshot then
/// exists, many at a time, and hands the others to the run saga), committed together with <c>run.queued</c> webhook events for the organizations that listen. The database
/// allows one daily run per audience and date and one in-flight run per audience; audiences that
/// already have either are skipped. A finished date is recorded in <c>daily_run_dates</c>; fired by the
/// "on data arrival" trigger, the job queues only a complete date not recorded there yet.
/// </summary>
[DisallowConcurrentExecution]
public sealed class QueueDailyRunsJob(
    IServiceScopeFactory scopes, IOptions<DailyRunsOptions> options, PipelineMetrics metrics, TimeProvider clock, ILogger<QueueDailyRunsJob> logger) : IJob
{
    public static readonly JobKey Key = new("queue-daily-runs", "runs");

    /// <summary>Job data of the "on data arrival" trigger: queue only a date not handled yet.</summary>
    public const string OnArrivalKey = "onArrival";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var onArrival = context.MergedJobDataMap.TryGetBoolean(OnArrivalKey, out var arrival) && arrival;
        if (onArrival && !options.Value.OnDataArrival)
        {
            return;
        }

        DateOnly? dataDate;
        await using (var scope = scopes.CreateAsyncScope())
        {
            dataDate = await scope.ServiceProvider.GetRequiredService<IntentDbContext>().DataDates
                .Where(d => d.Complete).MaxAsync(d => (DateOnly?)d.Date, cancellationToken);
        }

        if (dataDate is not { } date)
        {
            if (!onArrival)
            {
                logger.LogWarning("No complete intent data: no daily runs queued");
            }

            return;
        }

        if (onArrival && await HandledAsync(date, cancellationToken))
        {
            return;
        }

        var started = clock.GetTimestamp();
        var after = Guid.Empty;
        long queued = 0, skipped = 0;
        while (true)
        {
            var (batch, created, last) = await QueueBatchAsync(date, after, cancellationToken);
            queued += created;
            skipped += batch - created;
            if (batch < options.Value.BatchSize)
            {
                break;
            }

            after = last;
        }

        await RecordAsync(date, queued, skipped, cancellationToken);
        metrics.DailyRunsQueued(queued, clock.GetElapsedTime(started));
        logger.LogInformation("Daily runs for {DataDate}{Why}: {Queued} queued, {Skipped} audiences skipped (a run in flight or already queued for the date)",
            date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), onArrival ? " (new data arrived)" : "", queued, skipped);
    }

    private async Task<bool> HandledAsync(DateOnly date, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IntentDbContext>().DailyRunDates.AnyAsync(d => d.DataDate == date, cancellationToken);
    }

    private async Task RecordAsync(DateOnly date, long queued, long skipped, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IntentDbContext>().Database.ExecuteSqlAsync(
            $"""
            INSERT INTO daily_run_dates (data_date, queued_count, skipped_count, queued_at) VALUES ({date}, {queued}, {skipped}, now())
            ON CONFLICT (data_date) DO UPDATE SET queued_count = excluded.queued_count, skipped_count = excluded.skipped_count, queued_at = excluded.queued_at
            """,
            cancellationToken);
    }

    private async Task<(int Batch, int Created, Guid Last)> QueueBatchAsync(DateOnly date, Guid after, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The runs and their messages in one statement: the messages are MassTransit's serialization of one
        // prototype, with each run's ids put in by PostgreSQL, so no run is serialized here.
        var message = await OutboxMessageTemplate.CaptureAsync(db, publisher, columns => new StartDailyRun { RunId = columns.Uuid("id") },
            options.Value.BatchSize, cancellationToken);

        await using var command = new NpgsqlCommand(
            $"""
            WITH batch AS (
                SELECT id, organization_id, config, config_hash FROM audiences
                WHERE status = 'active' AND daily_refresh_enabled AND id > @after
                ORDER BY id LIMIT @size
            ),
            created AS (
                INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key,
                                           candidate_count, result_count, attempts, created_at, updated_at)
                SELECT gen_random_uuid(), b.id, b.organization_id, '{RunStatus.Stored.Queued}', 'daily', b.config, b.config_hash, @date,
                       {ResultKeys.Sql("b.organization_id", "b.config_hash", "@date")},
                       0, 0, 0, now(), now()
                FROM batch b
                ORDER BY b.id
                ON CONFLICT DO NOTHING
                RETURNING id, audience_id, organization_id
            ),
            {message.Ctes("created")}
            SELECT (SELECT count(*)::int FROM batch), (SELECT max(id::text)::uuid FROM batch), (SELECT count(*)::int FROM created),
                   (SELECT coalesce(array_agg(c.id), ARRAY[]::uuid[]) FROM created c
                    WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.organization_id = c.organization_id AND w.enabled AND @queuedEvent = ANY(w.events)))
            """,
            (NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction)transaction.GetDbTransaction());
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("size", options.Value.BatchSize);
        command.Parameters.Add(new NpgsqlParameter("date", NpgsqlDbType.Date) { Value = date });
        command.Parameters.AddWithValue("queuedEvent", WebhookEventTypes.RunQueued);
        command.Parameters.AddRange(message.Parameters.ToArray());

        int batch, created;
        Guid last;
        Guid[] listened;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            batch = reader.GetInt32(0);
            last = reader.IsDBNull(1) ? after : reader.GetGuid(1);
            created = reader.GetInt32(2);
            listened = reader.GetFieldValue<Guid[]>(3);
        }

        // run.queued for the runs of organizations whose webhooks listen: few, so published one by one, in the same transaction.
        if (listened.Length > 0)
        {
            await WebhookEvents.RaiseQueuedAsync(db, publisher, listened, clock.GetUtcNow().UtcDateTime, cancellationToken);
            await db.CopyPendingOutboxAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (batch, created, last);
    }
}
