using Intent.Data;
using Intent.Data.Runs;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Api.Runs;

/// <summary>The INSERT of a newly queued run, for the one batch that also writes its outbox rows.</summary>
internal static class QueuedRunInsert
{
    private const string Sql =
        "INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key, " +
        "candidate_count, result_count, attempts, idempotency_key, created_at, updated_at) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, 0, $10, $11, $12)";

    public static NpgsqlBatchCommand For(AudienceRun run) => new(Sql)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid> { TypedValue = run.CorrelationId },
            new NpgsqlParameter<Guid> { TypedValue = run.AudienceId },
            new NpgsqlParameter<Guid> { TypedValue = run.OrganizationId },
            new NpgsqlParameter<string> { TypedValue = RunStatus.ToPublic(run.Status), NpgsqlDbType = NpgsqlDbType.Varchar },
            new NpgsqlParameter<string> { TypedValue = SnakeCaseNames.Of(run.RunType), NpgsqlDbType = NpgsqlDbType.Varchar },
            new NpgsqlParameter<string> { TypedValue = run.Config, NpgsqlDbType = NpgsqlDbType.Jsonb },
            new NpgsqlParameter<string> { TypedValue = run.ConfigHash, NpgsqlDbType = NpgsqlDbType.Char },
            new NpgsqlParameter { Value = (object?)run.DataDate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date },
            new NpgsqlParameter { Value = (object?)run.ResultKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char },
            new NpgsqlParameter { Value = (object?)run.IdempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar },
            new NpgsqlParameter<DateTime> { TypedValue = run.CreatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            new NpgsqlParameter<DateTime> { TypedValue = run.UpdatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        },
    };
}
