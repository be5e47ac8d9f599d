using Intent.Data;
using Intent.Data.Runs;
using Intent.Data.Webhooks;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Api.Runs;

/// <summary>The INSERT of a newly queued run, for the one batch that also writes its outbox rows.</summary>
internal static class QueuedRunInsert
{
    /// <summary>
    /// The run read from its audience and the latest complete data date inside the INSERT, for the usual case decided
    /// without a look first: the audience is the caller's, no run of it is in flight, the idempotency key (if any) is new,
    /// and no webhook of the organization listens to <c>run.queued</c>. In any other case it writes nothing (a unique
    /// index's conflict included) and returns no row; the caller then looks and answers as before.
    /// </summary>
    private static readonly string AtOnceSql =
        "INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key, " +
        "candidate_count, result_count, attempts, idempotency_key, created_at, updated_at) " +
        "SELECT $1, a.id, a.organization_id, $4, $5, a.config, a.config_hash, d.data_date, " +
        $"CASE WHEN d.data_date IS NULL THEN NULL ELSE {ResultKeys.Sql("a.organization_id", "a.config_hash", "d.data_date")} END, " +
        "0, 0, 0, $6, $7, $7 " +
        "FROM audiences a CROSS JOIN (SELECT max(data_date) AS data_date FROM data_dates WHERE complete) d " +
        "WHERE a.id = $2 AND a.organization_id = $3 " +
        "AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.organization_id = $3 AND w.enabled AND $8 = ANY (w.events)) " +
        "ON CONFLICT DO NOTHING " +
        "RETURNING config, config_hash, data_date, result_key, set_config('intent.queued_run', id::text, true)";

    /// <summary>
    /// The condition under which the batch's outbox rows are written: the run row was inserted. <c>RETURNING</c> is
    /// evaluated only for an inserted row, and it marks the batch's transaction with the run's id; reading that mark
    /// touches no table, so no plan of it can scan <c>audience_runs</c>.
    /// </summary>
    public const string Inserted = "current_setting('intent.queued_run', true) = {0}::text";

    public static NpgsqlBatchCommand AtOnce(AudienceRun run) => Command(AtOnceSql, run,
        new NpgsqlParameter { Value = (object?)run.IdempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar },
        new NpgsqlParameter<DateTime> { TypedValue = run.CreatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        new NpgsqlParameter<string> { TypedValue = WebhookEventTypes.RunQueued, NpgsqlDbType = NpgsqlDbType.Text });

    private const string Sql =
        "INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key, " +
        "candidate_count, result_count, attempts, idempotency_key, created_at, updated_at) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, 0, $10, $11, $12)";

    public static NpgsqlBatchCommand For(AudienceRun run) => Command(Sql, run,
        new NpgsqlParameter<string> { TypedValue = run.Config, NpgsqlDbType = NpgsqlDbType.Jsonb },
        new NpgsqlParameter<string> { TypedValue = run.ConfigHash, NpgsqlDbType = NpgsqlDbType.Char },
        new NpgsqlParameter { Value = (object?)run.DataDate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date },
        new NpgsqlParameter { Value = (object?)run.ResultKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char },
        new NpgsqlParameter { Value = (object?)run.IdempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar },
        new NpgsqlParameter<DateTime> { TypedValue = run.CreatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        new NpgsqlParameter<DateTime> { TypedValue = run.UpdatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });

    // $1 to $5 of both statements: the run's id, audience, organization, status and type.
    private static NpgsqlBatchCommand Command(string sql, AudienceRun run, params NpgsqlParameter[] rest)
    {
        var command = new NpgsqlBatchCommand(sql)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = run.CorrelationId },
                new NpgsqlParameter<Guid> { TypedValue = run.AudienceId },
                new NpgsqlParameter<Guid> { TypedValue = run.OrganizationId },
                new NpgsqlParameter<string> { TypedValue = RunStatus.ToPublic(run.Status), NpgsqlDbType = NpgsqlDbType.Varchar },
                new NpgsqlParameter<string> { TypedValue = SnakeCaseNames.Of(run.RunType), NpgsqlDbType = NpgsqlDbType.Varchar },
            },
        };
        command.Parameters.AddRange(rest);
        return command;
    }
}
