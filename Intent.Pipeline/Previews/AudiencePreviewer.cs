using System.Globalization;
using System.Text.Json;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Previews;

/// <summary>
/// Counts an audience on the latest complete data date without storing anything: one statement in a read-only
/// transaction with a statement timeout. The audience is the run's own SQL (<see cref="AudienceMaterializer.AudienceSql"/>:
/// the same candidates and the same compiled filters), so a preview's <c>totalCount</c> is the <c>resultCount</c>
/// a run of the config on that date gets, and its sample is the run's first ranks.
/// </summary>
public sealed class AudiencePreviewer(NpgsqlConnection connection)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The preview, or null when no data date is complete yet. A statement over the timeout throws a <see cref="PostgresException"/> (query canceled).</summary>
    public async Task<AudiencePreview?> PreviewAsync(AudienceConfig config, PreviewOptions options, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        DateOnly? dataDate;
        await using (var begin = new NpgsqlCommand(
                         """
                         SET TRANSACTION READ ONLY;
                         SELECT set_config('statement_timeout', @timeout, true);
                         SELECT max(data_date) FROM data_dates WHERE complete;
                         """, connection, transaction))
        {
            begin.Parameters.AddWithValue("timeout", ((long)options.StatementTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            await using var reader = await begin.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            dataDate = reader.IsDBNull(0) ? null : reader.GetFieldValue<DateOnly>(0);
        }

        if (dataDate is not { } date)
        {
            return null;
        }

        var (sql, parameters) = BuildStatement(config, date, options.SampleSize, options.BreakdownSize);
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddRange(parameters.ToArray());
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            var preview = new AudiencePreview(
                date,
                reader.GetInt64(0),
                new PreviewBreakdowns(Read<List<PreviewValue>>(reader, 1), Read<List<PreviewValue>>(reader, 2)),
                Read<List<PreviewPerson>>(reader, 3));
            await reader.CloseAsync();
            await transaction.CommitAsync(cancellationToken);
            return preview;
        }
    }

    /// <summary>
    /// The preview's one statement: the run's <c>matched</c> and <c>filtered</c> CTEs, then the count, the two
    /// breakdowns and the masked sample in rank order, as one row (breakdowns and sample as JSON). The count and the
    /// ranking need no topic arrays, so <c>filtered</c> carries none; the sample's come from the run's candidate SQL
    /// again, restricted to the sampled people (a condition PostgreSQL pushes into the day's index scan).
    /// </summary>
    public static (string Sql, List<NpgsqlParameter> Parameters) BuildStatement(AudienceConfig config, DateOnly dataDate, int sampleSize, int breakdownSize)
    {
        var (audience, parameters) = AudienceMaterializer.AudienceSql(config, dataDate, matchedTopics: false, "company_industry", "seniority");
        var sql = $"""
            WITH {audience},
            ranked AS (
                SELECT f.person_id, f.intent_score, f.topic_overlap FROM filtered f
                ORDER BY {AudienceMaterializer.RankOrder("f")} LIMIT @sample
            ),
            sampled AS MATERIALIZED (
                SELECT c.person_id, c.matched_topic_ids
                FROM ({AudienceMaterializer.CandidatesSql(dataDate)}) c
                WHERE c.person_id = ANY(ARRAY(SELECT person_id FROM ranked))
            )
            SELECT (SELECT count(*) FROM filtered),
                   {Breakdown("company_industry")},
                   {Breakdown("seniority")},
                   (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'hashedEmail', left(pe.hashed_email, 6) || '…',
                        'firstName', left(pe.first_name, 1) || '***',
                        'lastName', left(pe.last_name, 1) || '***',
                        'jobTitle', pe.job_title,
                        'seniority', pe.seniority,
                        'company', jsonb_build_object('name', pe.company_name, 'domain', pe.company_domain, 'industry', pe.company_industry),
                        'intent', jsonb_build_object('score', r.intent_score, 'topicOverlap', r.topic_overlap, 'matchedTopics',
                            (SELECT coalesce(jsonb_agg(jsonb_build_object('topicId', t.topic_id, 'topicName', t.topic_name, 'type', t.type,
                                                                           'industry', t.industry, 'category', t.category) ORDER BY u.position), '[]'::jsonb)
                             FROM sampled x CROSS JOIN LATERAL unnest(x.matched_topic_ids) WITH ORDINALITY u (topic_id, position)
                             JOIN topics t ON t.topic_id = u.topic_id
                             WHERE x.person_id = r.person_id)),
                        'masked', true) ORDER BY {AudienceMaterializer.RankOrder("r")}), '[]'::jsonb)::text
                    FROM ranked r JOIN people pe ON pe.person_id = r.person_id)
            """;
        parameters.Add(new NpgsqlParameter("sample", NpgsqlDbType.Integer) { Value = sampleSize });
        parameters.Add(new NpgsqlParameter("top", NpgsqlDbType.Integer) { Value = breakdownSize });
        return (sql, parameters);
    }

    // A filter compares lower-cased values, so codes that differ only in case are one value here, as in the catalog.
    private static string Breakdown(string column) => $"""
        (SELECT coalesce(jsonb_agg(jsonb_build_object('value', b.value, 'label', b.label, 'count', b.count) ORDER BY b.count DESC, b.value), '[]'::jsonb)::text
                    FROM (SELECT lower(v.value) AS value, (array_agg(v.value ORDER BY c.people DESC, v.value))[1] AS label, sum(c.people)::bigint AS count
                          FROM (SELECT f.{column} AS code, count(*) AS people FROM filtered f WHERE f.{column} IS NOT NULL GROUP BY f.{column}) c
                          JOIN person_values v ON v.code = c.code
                          GROUP BY lower(v.value)
                          ORDER BY count DESC, value
                          LIMIT @top) b)
        """;

    private static T Read<T>(NpgsqlDataReader reader, int ordinal) => JsonSerializer.Deserialize<T>(reader.GetString(ordinal), Json)!;
}
