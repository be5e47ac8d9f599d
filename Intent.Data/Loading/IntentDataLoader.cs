using Intent.Data.Catalog;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Data.Loading;

/// <summary>
/// Loads catalog data with PostgreSQL binary COPY. A day of scores goes into its own table, gets
/// its index after the COPY, and is attached as the day's partition and marked complete in the
/// same transaction, so a run never sees half a day.
/// </summary>
public sealed class IntentDataLoader(NpgsqlConnection connection)
{
    /// <summary>
    /// Whether attaching a day also writes its topic aggregates (<see cref="TopicDailyAggregates"/>) in the same
    /// transaction, as every load should; off only for a schema that predates them, whose migration computes them.
    /// </summary>
    public bool RefreshTopicAggregates { get; init; } = true;

    public async Task<long> CopyTopicsAsync(IEnumerable<Topic> topics, CancellationToken cancellationToken = default)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY topics (topic_id, topic_name, type, industry, category) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var topic in topics)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(topic.TopicId, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(topic.TopicName, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(SnakeCaseNames.Of(topic.Type), NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(topic.Industry, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(topic.Category, NpgsqlDbType.Text, cancellationToken);
        }

        return (long)await copy.CompleteAsync(cancellationToken);
    }

    public async Task<long> CopyPeopleAsync(IEnumerable<Person> people, CancellationToken cancellationToken = default)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            """
            COPY people (person_id, hashed_email, first_name, last_name, full_name, business_email, personal_email, email,
                primary_contact_email, phone, linkedin_url, headline, job_title, seniority, department, company_name, company_domain,
                company_industry, company_industry_group, company_revenue_range, company_employee_range, country, is_decision_maker)
            FROM STDIN (FORMAT BINARY)
            """,
            cancellationToken);
        // The statement triggers that write people_traits run when the COPY completes: millions of people take minutes.
        copy.Timeout = TimeSpan.Zero;
        foreach (var p in people)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(p.PersonId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(p.HashedEmail, NpgsqlDbType.Text, cancellationToken);
            foreach (var text in new[]
                     {
                         p.FirstName, p.LastName, p.FullName, p.BusinessEmail, p.PersonalEmail, p.Email, p.PrimaryContactEmail, p.Phone,
                         p.LinkedinUrl, p.Headline, p.JobTitle, p.Seniority, p.Department, p.CompanyName, p.CompanyDomain, p.CompanyIndustry,
                         p.CompanyIndustryGroup, p.CompanyRevenueRange, p.CompanyEmployeeRange, p.Country,
                     })
            {
                await (text is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken));
            }

            await (p.IsDecisionMaker is { } decides
                ? copy.WriteAsync(decides, NpgsqlDbType.Boolean, cancellationToken)
                : copy.WriteNullAsync(cancellationToken));
        }

        return (long)await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Loads one day of scores as a new partition and marks the day complete. Fails if the day
    /// already has scores. The rows are written frozen and all-visible (the table is new in this
    /// transaction), so runs read the day index-only at once, without waiting for a vacuum.
    /// </summary>
    public async Task<long> LoadScoresAsync(
        DateOnly date, IEnumerable<(long PersonId, int TopicId, short Score)> scores, NpgsqlTransaction transaction,
        Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var table = await CreateDayTableAsync(date, transaction, cancellationToken);

        long rows = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
                         $"COPY {table} (data_date, person_id, topic_id, score) FROM STDIN (FORMAT BINARY, FREEZE)", cancellationToken))
        {
            foreach (var (personId, topicId, score) in scores)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(date, NpgsqlDbType.Date, cancellationToken);
                await copy.WriteAsync(personId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(topicId, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(score, NpgsqlDbType.Smallint, cancellationToken);
                if (++rows % 100_000 == 0)
                {
                    progress?.Invoke(rows);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        progress?.Invoke(rows);
        await AttachDayAsync(date, rows, transaction, cancellationToken);
        return rows;
    }

    /// <summary>The table that becomes <paramref name="date"/>'s partition once filled.</summary>
    public async Task<string> CreateDayTableAsync(DateOnly date, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        var table = PartitionName(date);
        await ExecuteAsync($"CREATE TABLE {table} (LIKE intent_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", transaction, cancellationToken);
        return table;
    }

    /// <summary>Indexes the filled day table, attaches it as the day's partition, marks the day complete and writes its topic aggregates.</summary>
    public async Task AttachDayAsync(DateOnly date, long rows, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        var table = PartitionName(date);
        await ExecuteAsync(
            $"""
            ALTER TABLE {table} ADD CONSTRAINT ck_{table}_date CHECK (data_date = '{date:yyyy-MM-dd}');
            CREATE INDEX ix_{table}_topic_score ON {table} (topic_id, score) INCLUDE (person_id);
            ALTER TABLE intent_scores ATTACH PARTITION {table} FOR VALUES IN ('{date:yyyy-MM-dd}');
            ANALYZE {table};
            INSERT INTO data_dates (data_date, complete, score_count, loaded_at) VALUES ('{date:yyyy-MM-dd}', true, {rows}, now());
            """,
            transaction,
            cancellationToken);
        if (RefreshTopicAggregates)
        {
            await TopicDailyAggregates.RefreshAsync(connection, date, transaction, cancellationToken);
        }
    }

    /// <summary>
    /// Vacuums a day filled by INSERT (COPY FREEZE needs none), so its pages are all-visible and runs read it
    /// index-only; outside any transaction, after the day is committed.
    /// </summary>
    public async Task VacuumDayAsync(DateOnly date, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand($"VACUUM (ANALYZE) {PartitionName(date)}", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether <paramref name="date"/> already has scores.</summary>
    public async Task<bool> HasDayAsync(DateOnly date, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM data_dates WHERE data_date = $1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = date });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static string PartitionName(DateOnly date) => $"intent_scores_{date:yyyyMMdd}";

    private async Task ExecuteAsync(string sql, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
