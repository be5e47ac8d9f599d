using Intent.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// The delivery loop's two statements, each set-based and committed on its own, so no lock is held while
/// receivers answer: <see cref="ClaimAsync"/> takes due pending deliveries under a lease, and
/// <see cref="RecordAsync"/> writes the outcomes of many attempts and the webhooks' runs of failures at once.
/// A pending delivery's timer and lease are its row in <c>webhook_due_deliveries</c>, removed when it ends, so
/// both statements update the delivery log's row without touching an index of it (HOT updates).
/// </summary>
public sealed class WebhookDeliveryStore(IServiceScopeFactory scopes)
{
    /// <summary>The settings each statement runs under, in its own transaction (<see cref="CommandAsync"/> says why).</summary>
    public const string PinnedPlan =
        """
        SET LOCAL jit = off;
        SET LOCAL enable_seqscan = off;
        SET LOCAL enable_bitmapscan = off;
        SET LOCAL enable_sort = off;
        SET LOCAL enable_hashjoin = off;
        SET LOCAL enable_mergejoin = off;
        """;

    /// <summary>
    /// Claims up to <paramref name="limit"/> deliveries that are pending, due and not under another loop's lease,
    /// oldest due first, skipping timers another transaction has locked: counts the attempt and sets the lease on the
    /// timer's row in the same statement, and returns what the attempts need.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int limit, DateTime now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var command = await CommandAsync(scope,
            """
            WITH due AS (
                SELECT q.delivery_id FROM webhook_due_deliveries q
                WHERE q.next_attempt_at <= @now AND (q.claimed_until IS NULL OR q.claimed_until <= @now)
                ORDER BY q.next_attempt_at
                LIMIT @limit
                FOR UPDATE OF q SKIP LOCKED
            )
            -- Only the timers' rows are locked and written: the log's row is read, and written once, with the outcome.
            -- A claim waits for no lock, so it takes no part in a deadlock.
            UPDATE webhook_due_deliveries q SET claimed_until = @until, attempts = coalesce(q.attempts, d.attempts) + 1
            FROM webhook_deliveries d, webhook_events e, webhooks w
            WHERE q.delivery_id = ANY (ARRAY(SELECT delivery_id FROM due)) AND d.id = q.delivery_id AND e.id = d.event_id AND w.id = d.webhook_id
            RETURNING d.id, q.attempts, d.event_type, d.trace_parent, e.id, e.payload, w.id, w.url, w.enabled, w.secret, w.previous_secret,
                      w.previous_secret_expires_at
            """, cancellationToken);
        var until = now + lease;
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("until", until);
        command.Parameters.AddWithValue("limit", limit);
        var claimed = new List<ClaimedDelivery>(limit);
        await command.PrepareAsync(cancellationToken);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(new ClaimedDelivery(
                    reader.GetGuid(0), reader.GetInt32(1), until, reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetGuid(4),
                    reader.GetString(5), reader.GetGuid(6), reader.GetString(7), reader.GetBoolean(8), reader.GetString(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetDateTime(11)));
            }
        }

        await command.Transaction!.CommitAsync(cancellationToken);
        return claimed;
    }

    /// <summary>
    /// Records <paramref name="outcomes"/> (in the order they came) in one statement. Each applies only to a
    /// delivery still pending with the attempts it was claimed at: one delivered, failed, released or claimed again
    /// since (its lease passed) is left as it is. Per webhook, the events that ended here continue its run of
    /// failures (a delivery resets it to the failures after it); one that reaches <paramref name="disableAfter"/>
    /// disables the webhook and says why. A delivery that ended loses its timer; one to try again (or given back) keeps it,
    /// due at its next attempt, without a lease. Returns the deliveries recorded and the webhooks disabled by it.
    /// </summary>
    public async Task<(HashSet<Guid> Recorded, List<Guid> Disabled)> RecordAsync(
        IReadOnlyList<DeliveryOutcome> outcomes, int disableAfter, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var command = await CommandAsync(scope,
            """
            WITH outcome AS (
                SELECT * FROM unnest(@ids, @attempts, @kinds, @next, @at, @response, @duration, @error, @counts)
                    WITH ORDINALITY AS o(id, attempt, kind, next_attempt_at, at, response, duration, error, counts, seq)
            ),
            -- The timer is the arbiter: an outcome applies only while its delivery is pending (it has a timer) at the
            -- attempt it was claimed for. Locked first (a claim since, or a retry by hand, is waited for and seen), then the
            -- log's row; looked up one by one (lateral), whatever the timers' statistics say, in the order of their ids, so two
            -- recorders whose batches overlap (a lease passed meanwhile) lock them in the same order.
            current AS (
                SELECT o.* FROM (SELECT * FROM outcome ORDER BY id) o
                CROSS JOIN LATERAL (
                    SELECT 1 FROM webhook_due_deliveries q WHERE q.delivery_id = o.id AND q.attempts = o.attempt FOR UPDATE
                ) timer
            ),
            recorded AS (
                UPDATE webhook_deliveries d SET
                    status = CASE o.kind WHEN 'delivered' THEN 'delivered' WHEN 'failed' THEN 'failed' WHEN 'disabled' THEN 'failed' ELSE 'pending' END,
                    attempts = CASE WHEN o.kind IN ('disabled', 'released') THEN o.attempt - 1 ELSE o.attempt END,
                    next_attempt_at = CASE o.kind WHEN 'retry' THEN o.next_attempt_at WHEN 'released' THEN d.next_attempt_at END,
                    last_attempt_at = CASE WHEN o.kind IN ('delivered', 'retry', 'failed') THEN o.at ELSE d.last_attempt_at END,
                    last_response_status = CASE WHEN o.kind = 'released' THEN d.last_response_status ELSE o.response END,
                    last_duration_ms = CASE WHEN o.kind = 'released' THEN d.last_duration_ms ELSE o.duration END,
                    last_error = CASE WHEN o.kind = 'released' THEN d.last_error ELSE o.error END,
                    delivered_at = CASE WHEN o.kind = 'delivered' THEN o.at ELSE d.delivered_at END,
                    updated_at = o.at
                FROM current o
                WHERE d.id = o.id AND d.status = 'pending'
                RETURNING d.id, d.webhook_id, d.status, d.attempts, d.next_attempt_at, o.kind, o.counts, o.seq, o.error
            ),
            -- By the timers' primary key, a lookup per delivery whatever the timers' statistics say.
            settled AS (
                DELETE FROM webhook_due_deliveries WHERE delivery_id = ANY (ARRAY(SELECT id FROM recorded WHERE status <> 'pending'))
            ),
            rescheduled AS (
                UPDATE webhook_due_deliveries q SET next_attempt_at = r.next_attempt_at, claimed_until = NULL, attempts = r.attempts
                FROM recorded r
                WHERE q.delivery_id = ANY (ARRAY(SELECT id FROM recorded WHERE status = 'pending')) AND r.id = q.delivery_id
            ),
            ended AS (
                SELECT webhook_id, kind, seq, error,
                       max(seq) FILTER (WHERE kind = 'delivered') OVER (PARTITION BY webhook_id) AS last_delivered
                FROM recorded
                WHERE counts AND kind IN ('delivered', 'failed')
            ),
            tally AS (
                SELECT webhook_id, bool_or(last_delivered IS NOT NULL) AS reset,
                       count(*) FILTER (WHERE kind = 'failed' AND seq > coalesce(last_delivered, 0)) AS failures,
                       (array_agg(error ORDER BY seq DESC) FILTER (WHERE kind = 'failed'))[1] AS last_error
                FROM ended
                GROUP BY webhook_id
            ),
            next AS (
                SELECT w.id, w.enabled AS was_enabled, t.last_error,
                       CASE WHEN t.reset THEN t.failures ELSE w.consecutive_failures + t.failures END AS failures
                FROM webhooks w JOIN tally t ON t.webhook_id = w.id
                WHERE t.failures > 0 OR w.consecutive_failures <> 0
                ORDER BY w.id
                FOR UPDATE OF w
            ),
            counted AS (
                UPDATE webhooks w SET
                    consecutive_failures = n.failures,
                    enabled = w.enabled AND n.failures < @limit,
                    disabled_reason = CASE WHEN w.enabled AND n.failures >= @limit THEN @reason || coalesce(n.last_error, '') ELSE w.disabled_reason END,
                    disabled_at = CASE WHEN w.enabled AND n.failures >= @limit THEN @now ELSE w.disabled_at END,
                    updated_at = CASE WHEN w.enabled AND n.failures >= @limit THEN @now ELSE w.updated_at END
                FROM next n
                WHERE w.id = n.id AND w.consecutive_failures <> n.failures
                RETURNING w.id, n.was_enabled AND NOT w.enabled AS disabled
            )
            SELECT id, false FROM recorded
            UNION ALL
            SELECT id, true FROM counted WHERE disabled
            """, cancellationToken);
        command.Parameters.Add(Array("ids", NpgsqlDbType.Uuid, outcomes.Select(o => o.Delivery.Id).ToArray()));
        command.Parameters.Add(Array("attempts", NpgsqlDbType.Integer, outcomes.Select(o => o.Delivery.Attempt).ToArray()));
        command.Parameters.Add(Array("kinds", NpgsqlDbType.Text, outcomes.Select(o => o.Label).ToArray()));
        command.Parameters.Add(Array("next", NpgsqlDbType.TimestampTz, outcomes.Select(o => o.NextAttemptAt).ToArray()));
        command.Parameters.Add(Array("at", NpgsqlDbType.TimestampTz, outcomes.Select(o => o.At).ToArray()));
        command.Parameters.Add(Array("response", NpgsqlDbType.Integer, outcomes.Select(o => o.Attempt?.StatusCode).ToArray()));
        command.Parameters.Add(Array("duration", NpgsqlDbType.Integer, outcomes.Select(o => o.Attempt is { } a ? (int?)(int)Math.Min(int.MaxValue, a.Duration.TotalMilliseconds) : null).ToArray()));
        command.Parameters.Add(Array("error", NpgsqlDbType.Text, outcomes.Select(o => o.Kind == DeliveryOutcomeKind.Disabled ? DeliveryOutcome.DisabledError : o.Attempt?.LastError).ToArray()));
        command.Parameters.Add(Array("counts", NpgsqlDbType.Boolean, outcomes.Select(o => o.CountsAgainstWebhook).ToArray()));
        command.Parameters.AddWithValue("limit", disableAfter);
        command.Parameters.AddWithValue("reason", $"Disabled after {disableAfter} events in a row could not be delivered; the last: ");
        command.Parameters.AddWithValue("now", now);

        var recorded = new HashSet<Guid>();
        var disabled = new List<Guid>();
        await command.PrepareAsync(cancellationToken);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                (reader.GetBoolean(1) ? (ICollection<Guid>)disabled : recorded).Add(reader.GetGuid(0));
            }
        }

        await command.Transaction!.CommitAsync(cancellationToken);
        return (recorded, disabled);
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, T[] values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values };

    /// <summary>
    /// The statement in a transaction of its own whose plan is pinned to index lookups and the due index's order.
    /// The timers' table swings between empty and tens of thousands of rows, so its statistics are usually wrong
    /// (analyzed empty, they estimate no row at all), and a plan chosen by them scans or sorts the whole table at
    /// every claim; every access of both statements has an index to go by. No JIT: the costs of the plans not taken
    /// are huge, and would make PostgreSQL compile each statement (0.4 s) for a few milliseconds of work. Prepared (on each
    /// pooled connection, once): the loop runs them hundreds of times a second.
    /// </summary>
    private static async Task<NpgsqlCommand> CommandAsync(AsyncServiceScope scope, string sql, CancellationToken cancellationToken)
    {
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return new NpgsqlCommand($"{PinnedPlan}\n{sql}", connection, transaction);
    }
}
