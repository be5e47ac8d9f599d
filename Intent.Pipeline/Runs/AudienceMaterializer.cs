using System.Text.Json;
using Intent.Data.Loading;
using Intent.Data.Runs;
using Intent.Pipeline.Audiences;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Builds a run's snapshot inside PostgreSQL, in the caller's transaction: candidates (enough of the
/// topics within the score range on the run's date) and the filtered results go from
/// the day's partition of <c>intent_scores</c> and the traits' pages (<c>people_traits_pages</c>) straight into pages of members
/// (<see cref="SnapshotPages"/>) with one grouped INSERT ... SELECT; no row passes through the worker. A snapshot with the same result key is reused.
/// </summary>
public sealed class AudienceMaterializer(NpgsqlConnection connection, NpgsqlTransaction transaction)
{
    public sealed record Result(long CandidateCount, long ResultCount, string ResultKey, bool Reused);

    public async Task<Result> MaterializeAsync(AudienceRun run, DateOnly dataDate, CancellationToken cancellationToken)
    {
        var resultKey = ResultKeys.For(run.OrganizationId, run.ConfigHash, dataDate);

        // Claiming the key first makes a concurrent run with the same key wait here, then reuse ours. An
        // existing snapshot is key-share locked: the snapshot sweep cannot remove it under this run, and one
        // the sweep removed meanwhile is claimed anew.
        while (true)
        {
            await using (var claim = Command(
                             """
                             INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
                             VALUES (@key, @organization, @hash, @date, 0, 0, now()) ON CONFLICT (result_key) DO NOTHING
                             """))
            {
                claim.Parameters.Add(ResultKeyParameter(resultKey));
                claim.Parameters.AddWithValue("organization", run.OrganizationId);
                claim.Parameters.AddWithValue("hash", run.ConfigHash);
                claim.Parameters.AddWithValue("date", dataDate);
                if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    break;
                }
            }

            await using var existing = Command("SELECT candidate_count, result_count FROM audience_snapshots WHERE result_key = @key FOR KEY SHARE");
            existing.Parameters.Add(ResultKeyParameter(resultKey));
            await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new Result(reader.GetInt64(0), reader.GetInt64(1), resultKey, Reused: true);
            }
        }

        using var document = JsonDocument.Parse(run.Config);
        var (config, errors) = AudienceConfigParser.Parse(document.RootElement);
        if (config is null)
        {
            throw new InvalidRunConfigException($"The run's config is invalid: {string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"))}");
        }

        await using (var settings = Command(TransactionSettingsSql))
        {
            await settings.ExecuteNonQueryAsync(cancellationToken);
        }

        var (sql, parameters) = BuildStatement(config, resultKey, dataDate);
        await using var build = Command(sql);
        build.CommandTimeout = 0;
        build.Parameters.AddRange(parameters.ToArray());

        await using (var reader = await build.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            return new Result(reader.GetInt64(0), reader.GetInt64(1), resultKey, Reused: false);
        }
    }

    /// <summary>
    /// The one statement that fills a claimed snapshot: candidates, filtered results in rank order, counts
    /// and the snapshot's stats.
    /// </summary>
    public static (string Sql, List<NpgsqlParameter> Parameters) BuildStatement(AudienceConfig config, string resultKey, DateOnly dataDate)
    {
        var (audience, parameters) = AudienceSql(config, dataDate, matchedTopics: true, "filled");
        var ranked = $"""
            (SELECT (SELECT id FROM audience_snapshots WHERE result_key = @key) AS snapshot_id, row_number() OVER (ORDER BY {RankKey("f")}, {RankOrder("f")}) AS rank,
                    f.person_id, f.intent_score, f.topic_overlap, f.matched_topic_ids
             FROM filtered f)
            """;
        var sql = $"""
            WITH {audience},
            inserted AS (
                {SnapshotPages.Insert(ranked)}
            )
            UPDATE audience_snapshots
            SET candidate_count = (SELECT count(*) FROM matched),
                result_count = (SELECT count(*) FROM filtered),
                stats = {SnapshotStatsSql.GroupedDocument("filtered m", traits: "m")}
            WHERE result_key = @key
            RETURNING candidate_count, result_count
            """;
        parameters.Add(ResultKeyParameter(resultKey));
        return (sql, parameters);
    }

    /// <summary>
    /// The audience of <paramref name="config"/> on <paramref name="dataDate"/> as two CTEs, one SQL for runs and
    /// previews alike: <c>matched</c> (the candidates, <see cref="CandidatesSql"/>) and <c>filtered</c> (those whose
    /// traits, read from their pages (<see cref="TraitsJoin"/>), pass the filters, <see cref="FilterSql"/>), with <c>person_id, intent_score, topic_overlap</c>,
    /// <c>matched_topic_ids</c> when <paramref name="matchedTopics"/> (without it PostgreSQL leaves the candidates' topic
    /// arrays uncomputed), and the named <c>people_traits</c> columns; and the parameters of both.
    /// </summary>
    public static (string Ctes, List<NpgsqlParameter> Parameters) AudienceSql(
        AudienceConfig config, DateOnly dataDate, bool matchedTopics, params string[] traits)
    {
        var (where, parameters) = FilterSql.Build(config.Filters);
        var ctes = $"""
            matched AS (
                {CandidatesSql(dataDate)}
            ),
            filtered AS (
                SELECT m.person_id, m.intent_score, m.topic_overlap{(matchedTopics ? ", m.matched_topic_ids" : "")}{string.Concat(traits.Select(t => $", p.{t}"))}
                FROM matched m {TraitsJoin("m")}
                WHERE {where}
            )
            """;
        parameters.AddRange(
        [
            new NpgsqlParameter("topics", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = config.TopicIds.ToArray() },
            new NpgsqlParameter("min", (short)config.MinScore),
            new NpgsqlParameter("max", (short)config.MaxScore),
            new NpgsqlParameter("overlap", (long)config.MinTopicOverlap),
        ]);
        return (ctes, parameters);
    }

    /// <summary>The order of an audience's people, best first: the run's ranks, and a preview's sample.</summary>
    public static string RankOrder(string alias) => $"{alias}.intent_score DESC, {alias}.topic_overlap DESC, {alias}.person_id";

    /// <summary>
    /// A leading sort key for <see cref="RankOrder"/> as one <c>bigint</c>: the score (1 to 100, as the scores' check
    /// allows), the topic overlap and the person id packed so that it never orders two people against their rank, and is
    /// unique for every person of an ordinary audience (overlaps up to 15, person ids below 2^52). Most people tie on the
    /// score, so sorting on the three columns compares all three nearly every time; one <c>bigint</c> is one comparison.
    /// People it cannot tell apart (larger overlaps or ids) tie on it, and the columns of <see cref="RankOrder"/> that
    /// follow it order them.
    /// </summary>
    public static string RankKey(string alias) =>
        $"((100 - {alias}.intent_score)::bigint << 56) | CASE WHEN {alias}.topic_overlap > 15 THEN 0 " +
        $"ELSE ((16 - {alias}.topic_overlap::bigint) << 52) | least(greatest({alias}.person_id, 0), 4503599627370495) END";

    /// <summary>
    /// How an audience is read, as runs and previews report it: its candidates from the data date's partition
    /// through the <c>(topic_id, score)</c> index with the topic ids as an IN list, then, with filters, joined to
    /// their traits (<c>people_traits_pages</c>).
    /// </summary>
    public static string Strategy(AudienceConfig config) => config.Filters.Count == 0 ? "day_partition_in" : "day_partition_in_traits";

    /// <summary>
    /// The candidate step: the people with enough of the topics within the score range on
    /// <paramref name="dataDate"/>. It reads the day's partition by name, so no date qualifier is left for
    /// the heap and the covering index <c>(topic_id, score) INCLUDE (person_id)</c> answers it index-only.
    /// Candidates come in person order (sorted once, then grouped), so the traits probes that follow walk the
    /// traits key in order. A person's matched topics are in score order, best first, then by topic id: the one sort
    /// puts each person's scores in that order, and the grouping reads them as sorted (PostgreSQL 15 would sort every
    /// group of an <c>array_agg(... ORDER BY ...)</c> on its own). Parameters <c>@topics</c>, <c>@min</c>, <c>@max</c>, <c>@overlap</c>.
    /// </summary>
    public static string CandidatesSql(DateOnly dataDate) => $"""
        SELECT s.person_id, max(s.score) AS intent_score, count(*) AS topic_overlap, array_agg(s.topic_id) AS matched_topic_ids
        FROM (
            SELECT s.person_id, s.topic_id, s.score
            FROM {IntentDataLoader.PartitionName(dataDate)} s
            WHERE s.topic_id = ANY(@topics) AND s.score BETWEEN @min AND @max
            ORDER BY s.person_id, s.score DESC, s.topic_id
        ) s
        GROUP BY s.person_id
        HAVING count(*) >= @overlap
        """;

    /// <summary>
    /// The traits of each row of <paramref name="candidate"/> (a FROM item with <c>person_id</c>) as <c>p</c>, with the columns of
    /// <c>people_traits</c>, read from <c>people_traits_pages</c>: a join clause that keeps the candidates with a person. The
    /// pages (1,024 person ids each, a few thousand rows) are read once and joined on the page number; each candidate's values
    /// are then picked by offset from its page's arrays, which the fenced subquery copies out of storage once per page (read
    /// straight from the row, an array would be fetched again for every candidate) and only for the columns the query uses.
    /// Probing the traits key instead cost one index descent per candidate, about three times the candidate step itself.
    /// </summary>
    public static string TraitsJoin(string candidate)
    {
        var slot = $"({candidate}.person_id & 1023)::integer - tp.first_slot + 1";
        var pages = string.Concat(TraitCodes.Select(c => $", tp.{c} || '{{}}'::integer[] AS {c}"));
        var codes = string.Concat(TraitCodes.Select(c => $", nullif(tp.{c}[{slot}], 0) AS {c}"));
        return $"""
            JOIN (SELECT tp.page, tp.first_slot, tp.filled || '{"{}"}'::integer[] AS filled{pages}, tp.is_decision_maker || '{"{}"}'::smallint[] AS is_decision_maker
                  FROM people_traits_pages tp OFFSET 0) tp ON tp.page = {candidate}.person_id >> 10
                CROSS JOIN LATERAL (
                    SELECT {candidate}.person_id, tp.filled[{slot}] AS filled{codes},
                           CASE tp.is_decision_maker[{slot}] WHEN 1 THEN true WHEN 2 THEN false END AS is_decision_maker
                    WHERE tp.filled[{slot}] >= 0) p
            """;
    }

    // The coded columns of people_traits, kept in people_traits_pages as arrays of the same name (0 for no value).
    private static readonly string[] TraitCodes =
    [
        "company_industry", "company_domain", "company_revenue_range", "company_employee_range", "seniority", "department", "job_title", "country",
        "company_name", "company_industry_group",
    ];

    /// <summary>
    /// Settings of the materialization's transaction: no JIT compilation, which took longer (about 0.2 s) than it saved.
    /// </summary>
    public const string TransactionSettingsSql = "SELECT set_config('jit', 'off', true)";

    // Typed as the column (character(64)): a text parameter would make PostgreSQL compare as text and skip the key's index.
    private static NpgsqlParameter ResultKeyParameter(string resultKey) => new("key", NpgsqlDbType.Char) { Value = resultKey };

    /// <summary>
    /// Bounds this transaction's waits for locks and each statement's duration, so a blocked or runaway
    /// materialization fails its attempt instead of holding a worker; zero means no limit.
    /// </summary>
    public async Task LimitAsync(TimeSpan lockTimeout, TimeSpan statementTimeout, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT set_config('lock_timeout', @lock, true), set_config('statement_timeout', @statement, true)");
        command.Parameters.AddWithValue("lock", Milliseconds(lockTimeout));
        command.Parameters.AddWithValue("statement", Milliseconds(statementTimeout));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the run's data date has complete scores.</summary>
    public async Task<bool> HasCompleteDataAsync(DateOnly dataDate, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT EXISTS (SELECT 1 FROM data_dates WHERE data_date = @date AND complete)");
        command.Parameters.AddWithValue("date", dataDate);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private NpgsqlCommand Command(string sql) => new(sql, connection, transaction);

    private static string Milliseconds(TimeSpan value) =>
        ((long)Math.Max(0, value.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
