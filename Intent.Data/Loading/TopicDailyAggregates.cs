using Npgsql;

namespace Intent.Data.Loading;

/// <summary>
/// Writes <c>topic_daily_aggregates</c> for one data date from its scores: one <c>INSERT ... SELECT ... GROUP BY</c>
/// inside PostgreSQL, in the transaction that loads the day, so the day and its aggregates appear together.
/// Refreshing a date again replaces its rows.
/// </summary>
public static class TopicDailyAggregates
{
    /// <summary>Lowest score of the high band: the default <c>minScore</c> of an audience.</summary>
    public const int HighScore = 70;

    /// <summary>Lowest score of the medium band: where Orbit's percentile scores start.</summary>
    public const int MediumScore = 50;

    /// <summary>
    /// Aggregated before the topics are looked up, so each topic is probed once rather than once per score; scores of
    /// a topic that is not in the catalog cannot be discovered and are left out.
    /// </summary>
    public static readonly string InsertSql = $"""
        INSERT INTO topic_daily_aggregates (data_date, topic_id, unique_audience, score_sum, high_audience, medium_audience, low_audience)
        SELECT $1, a.topic_id, a.audience, a.score_sum, a.high, a.medium, a.low
        FROM (
            SELECT topic_id, count(*) AS audience, sum(score) AS score_sum,
                   count(*) FILTER (WHERE score >= {HighScore}) AS high,
                   count(*) FILTER (WHERE score >= {MediumScore} AND score < {HighScore}) AS medium,
                   count(*) FILTER (WHERE score < {MediumScore}) AS low
            FROM intent_scores
            WHERE data_date = $1
            GROUP BY topic_id
        ) a
        WHERE EXISTS (SELECT 1 FROM topics t WHERE t.topic_id = a.topic_id)
        """;

    private const string DeleteSql = "DELETE FROM topic_daily_aggregates WHERE data_date = $1";

    /// <summary>Replaces <paramref name="date"/>'s aggregates (its <c>data_dates</c> row must exist); returns the topics written.</summary>
    public static async Task<int> RefreshAsync(
        NpgsqlConnection connection, DateOnly date, NpgsqlTransaction? transaction, CancellationToken cancellationToken = default)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        foreach (var sql in new[] { DeleteSql, InsertSql })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql) { Parameters = { new NpgsqlParameter { Value = date } } });
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        return batch.BatchCommands[1].RecordsAffected;
    }
}
