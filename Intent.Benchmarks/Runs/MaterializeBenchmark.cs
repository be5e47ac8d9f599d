using System.Diagnostics;
using System.Text.Json;
using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Audiences;
using Intent.Data.Loading;
using Intent.Data.Organizations;
using Intent.Data.Runs;
using Intent.Data.Seeding;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench materialize</c>: a 5-topic audience on a data date of at least 10 million
/// scores, our run from message to completed beside its floor (the candidate step alone, index-only), each
/// later step, and the same SQL run directly with psql; then four different audiences at once both ways.
/// </summary>
public sealed class MaterializeBenchmark(BenchSettings settings)
{
    private const int Repetitions = 5;
    private const int DeepOffset = 140_000;
    private const int PageSize = 100;
    private const int PageCalls = 25;
    internal static readonly SeedOptions Data = new(People: 2_800_000, Topics: 2_000, Days: 1, Seed: 1, EndDate: new DateOnly(2001, 1, 1));
    internal static readonly string ConfigJson = """
        {"topicIds": [3, 7, 12, 20, 31], "minScore": 50, "maxScore": 100, "minTopicOverlap": 1, "filters": {"contact.hasBusinessEmail": true}}
        """;

    private static readonly string[] ConcurrentConfigJson =
    [
        ConfigJson,
        """{"topicIds": [1, 2, 4, 5, 6], "minScore": 40, "filters": {"role.seniority": {"values": ["vp", "director", "c-level"]}}}""",
        """{"topicIds": [40, 41, 42, 43, 44, 45], "minScore": 60, "minTopicOverlap": 1, "filters": {"jobTitle.exclude": {"values": ["intern"]}}}""",
        """{"topicIds": [100, 200, 300, 400, 500], "minScore": 30, "filters": {"location.countries": {"values": ["us", "de", "gb"]}, "role.isDecisionMaker": true}}""",
    ];

    public async Task RunAsync()
    {
        // Loading 2.8 million people runs their traits trigger inside the COPY's completion: no command timeout.
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(settings.ConnectionString) { CommandTimeout = 0 }.ConnectionString);
        var scores = await LoadAsync(dataSource);
        using var json = JsonDocument.Parse(ConfigJson);
        var config = AudienceConfigParser.Parse(json.RootElement).Config!;

        var loadBefore = LoadAverage();
        await using var worker = await WorkerBenchHost.StartAsync(settings);
        await using var runs = new RunWatcher(dataSource);
        var ours = new List<TimeSpan>();
        var oursBefore = new List<TimeSpan>();
        var direct = new List<TimeSpan>();
        var candidates = new List<TimeSpan>();
        var topics = new List<TimeSpan>();
        var filtered = new List<TimeSpan>();
        var inserted = new List<TimeSpan>();
        var configs = ConcurrentConfigJson.Select(text =>
        {
            using var document = JsonDocument.Parse(text);
            return AudienceConfigParser.Parse(document.RootElement).Config!;
        }).ToList();

        // One small run first, untimed, like the API's warm-up calls: the worker's first message, connections and queries.
        await OursAsync(worker.Services, runs, [configs[^1]]);
        Materialized last = null!;
        for (var i = 0; i < Repetitions; i++)
        {
            // A new organization each time gives a new result key, so nothing is reused.
            candidates.Add(await StepAsync(config, Step.Candidates));
            topics.Add(await StepAsync(config, Step.Topics));
            filtered.Add(await StepAsync(config, Step.Filtered));
            inserted.Add(await StepAsync(config, Step.Inserted));
            direct.Add(await DirectAsync(config, Guid.NewGuid()));
            last = (await OursAsync(worker.Services, runs, [config])).Single();
            ours.Add(last.Elapsed);
            oursBefore.Add(last.BeforeSnapshot);
        }

        var concurrentDirect = new List<TimeSpan>();
        var concurrentOurs = new List<TimeSpan>();
        var concurrentBefore = new List<TimeSpan>();
        for (var i = 0; i < Repetitions; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(configs.Select(c => DirectAsync(c, Guid.NewGuid())));
            concurrentDirect.Add(Stopwatch.GetElapsedTime(started));
            var four = await OursAsync(worker.Services, runs, configs);
            concurrentOurs.Add(four.Max(r => r.Elapsed));
            concurrentBefore.Add(four.Max(r => r.BeforeSnapshot));
        }

        var results = last.Results;
        var deepOffset = (int)Math.Min(DeepOffset, results - PageSize);
        var (firstPage, deepPage) = await PagesAsync(worker.Services, last, deepOffset);
        var storage = await StorageAsync(dataSource, last);

        var oursMedian = Median(ours);
        var directMedian = Median(direct);
        var floor = Median(candidates);
        Console.WriteLine();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average (1, 5, 15 min) before the runs {loadBefore}, after them {LoadAverage()}");
        Console.WriteLine($"data date {Data.LastDate:yyyy-MM-dd}: {scores:N0} scores; audience of 5 topics, score >= 50, with a business email: {results:N0} people");
        Console.WriteLine($"| measure | median of {Repetitions} | x floor | x psql |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine($"| floor: candidate step alone with psql (day's partition, index-only, counted) | {floor.TotalMilliseconds:N0} ms | 1.00 | {floor / directMedian:N2} |");
        Console.WriteLine($"| + each candidate's best score and topics in order (counted) | {Median(topics).TotalMilliseconds:N0} ms | {Median(topics) / floor:N2} | {Median(topics) / directMedian:N2} |");
        Console.WriteLine($"| + filter on the traits pages (counted) | {Median(filtered).TotalMilliseconds:N0} ms | {Median(filtered) / floor:N2} | {Median(filtered) / directMedian:N2} |");
        Console.WriteLine($"| + claim and insert of the member pages, committed | {Median(inserted).TotalMilliseconds:N0} ms | {Median(inserted) / floor:N2} | {Median(inserted) / directMedian:N2} |");
        Console.WriteLine($"| + counts and stats: the whole statement with psql, committed | {directMedian.TotalMilliseconds:N0} ms | {directMedian / floor:N2} | 1.00 |");
        Console.WriteLine($"| our run, MaterializeAudienceRun committed -> run completed | {oursMedian.TotalMilliseconds:N0} ms | {oursMedian / floor:N2} | {oursMedian / directMedian:N2} |");
        Console.WriteLine($"| of which committed -> the snapshot's transaction began (saga, relay, broker) | {Median(oursBefore).TotalMilliseconds:N0} ms | | |");
        Console.WriteLine();
        Console.WriteLine($"target: ours <= 5 x floor: {(oursMedian / floor <= 5 ? "met" : "MISSED")}; ours <= 1.05 x psql: {(oursMedian / directMedian <= 1.05 ? "met" : "MISSED")}");
        var together = Median(concurrentOurs);
        var togetherDirect = Median(concurrentDirect);
        Console.WriteLine();
        Console.WriteLine($"| four different audiences at once | median of {Repetitions} | psql / ours |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| the four statements at once with psql | {togetherDirect.TotalMilliseconds:N0} ms | 1.00 |");
        Console.WriteLine($"| our four runs at once, committed together -> all completed | {together.TotalMilliseconds:N0} ms | {togetherDirect / together:N2} |");
        Console.WriteLine($"| of which committed -> the last snapshot's transaction began | {Median(concurrentBefore).TotalMilliseconds:N0} ms | |");
        Console.WriteLine();
        Console.WriteLine($"target: psql / ours >= 0.9: {(togetherDirect / together >= 0.9 ? "met" : "MISSED")}");
        Console.WriteLine();
        Console.WriteLine($"| results of that run through the API, {PageSize} people a page | median of {PageCalls} | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| page at offset 0 | {firstPage.TotalMilliseconds:N1} ms | 1.00 |");
        Console.WriteLine($"| page at offset {deepOffset:N0} | {deepPage.TotalMilliseconds:N1} ms | {deepPage / firstPage:N2} |");
        Console.WriteLine();
        Console.WriteLine($"target: deep page <= 1.5 x first page: {(deepPage / firstPage <= 1.5 ? "met" : "MISSED")}");
        Console.WriteLine();
        Console.WriteLine(storage);
    }

    /// <summary>
    /// Bytes per member (<c>pg_total_relation_size</c> / members) of the member pages, beside the last run's members
    /// written as the table before pages held them: one row each under a <c>(snapshot_id, rank)</c> key filled to 100%.
    /// </summary>
    private static async Task<string> StorageAsync(NpgsqlDataSource dataSource, Materialized run)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TEMPORARY TABLE bench_member_rows AS
            SELECT m.snapshot_id, m.rank::integer AS rank, m.person_id, m.intent_score, m.topic_overlap, m.matched_topic_ids
            FROM {SnapshotPages.Members("(SELECT s.id FROM audience_snapshots s JOIN audience_runs r ON r.result_key = s.result_key WHERE r.id = @run)")};
            ALTER TABLE bench_member_rows ADD PRIMARY KEY (snapshot_id, rank) WITH (fillfactor = 100);
            SELECT (SELECT sum(cardinality(person_ids)) FROM audience_snapshot_pages)::bigint, (SELECT count(*) FROM audience_snapshot_pages),
                   pg_total_relation_size('audience_snapshot_pages'), (SELECT count(*) FROM bench_member_rows), pg_total_relation_size('bench_member_rows');
            """;
        command.Parameters.AddWithValue("run", run.RunId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (members, pages, bytes, rows, rowBytes) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        return $"storage: {members:N0} members in {pages:N0} page rows, {(double)bytes / members:N1} bytes per member; " +
               $"the last run's {rows:N0} members as one row each (the storage before pages): {(double)rowBytes / rows:N1} bytes per member";
    }

    /// <summary>The benchmark's data date (at least 10 million scores), loaded unless the database has it; its filter catalog counted.</summary>
    internal static async Task<long> LoadAsync(NpgsqlDataSource dataSource)
    {
        await using (var check = dataSource.CreateCommand("SELECT coalesce(max(score_count), 0) FROM data_dates WHERE complete"))
        {
            var existing = (long)(await check.ExecuteScalarAsync())!;
            if (existing >= 10_000_000)
            {
                return existing;
            }
        }

        Console.WriteLine($"-- loading {Data.People:N0} people and one day of scores (binary COPY)");
        var data = new SyntheticIntentData(Data);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var loader = new IntentDataLoader(connection);
        await loader.CopyTopicsAsync(data.Topics());
        await loader.CopyPeopleAsync(data.People());
        var rows = await loader.LoadScoresAsync(Data.LastDate, data.Scores(Data.LastDate), transaction,
            count => Console.Error.Write($"\r   {count:N0} scores"));
        Console.Error.WriteLine();
        await transaction.CommitAsync();
        // Steady state, as autovacuum leaves it within a minute: the traits key all-visible, both traits tables analyzed.
        foreach (var sql in new[] { "ANALYZE people", "VACUUM (ANALYZE) people_traits", "VACUUM (ANALYZE) people_traits_pages" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        await FilterCatalogRefresh.RefreshAsync(connection, null);
        return rows >= 10_000_000 ? rows : throw new InvalidOperationException($"only {rows:N0} scores were generated; raise the people count");
    }

    internal async Task<TimeSpan> DirectAsync(AudienceConfig config, Guid organizationId)
    {
        var hash = config.Hash();
        var key = ResultKeys.For(organizationId, hash, Data.LastDate);
        var (statement, parameters) = AudienceMaterializer.BuildStatement(config, key, Data.LastDate);
        var sql = $"""
            BEGIN;
            {AudienceMaterializer.TransactionSettingsSql};
            INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
            VALUES ('{key}', '{organizationId}', '{hash}', '{Data.LastDate:yyyy-MM-dd}', 0, 0, now());
            {Psql.Inline(statement, parameters)};
            COMMIT;
            """;
        return await Psql.RunAsync(settings.ConnectionString, sql);
    }

    private enum Step
    {
        Candidates,
        Topics,
        Filtered,
        Inserted,
    }

    /// <summary>A prefix of the materialization, with psql and our transaction's settings: what it costs to get that far.</summary>
    private async Task<TimeSpan> StepAsync(AudienceConfig config, Step step)
    {
        var organizationId = Guid.NewGuid();
        var hash = config.Hash();
        var key = ResultKeys.For(organizationId, hash, Data.LastDate);
        var (statement, parameters) = AudienceMaterializer.BuildStatement(config, key, Data.LastDate);
        var (where, _) = FilterSql.Build(config.Filters);
        var candidates = AudienceMaterializer.CandidatesSql(Data.LastDate);
        var sql = step switch
        {
            Step.Candidates => $"SELECT count(*) FROM ({candidates}) m;",
            Step.Topics => $"SELECT count(*), max(m.intent_score), sum(cardinality(m.matched_topic_ids)) FROM ({candidates}) m;",
            Step.Filtered => $"SELECT count(*) FROM ({candidates}) m {AudienceMaterializer.TraitsJoin("m")} WHERE {where};",
            _ => $"""
                INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
                VALUES ('{key}', '{organizationId}', '{hash}', '{Data.LastDate:yyyy-MM-dd}', 0, 0, now());
                {statement[..statement.IndexOf("UPDATE audience_snapshots", StringComparison.Ordinal)]}
                SELECT (SELECT count(*) FROM matched), (SELECT count(*) FROM filtered);
                """,
        };
        return await Psql.RunAsync(settings.ConnectionString, Psql.Inline($"BEGIN;\n{AudienceMaterializer.TransactionSettingsSql};\n{sql}\nCOMMIT;", parameters));
    }

    /// <summary>
    /// Our runs of <paramref name="configs"/>, each on a new audience of a new organization, queued in one commit (runs and
    /// their <c>MaterializeAudienceRun</c> messages), each timed from that commit until it is seen completed.
    /// </summary>
    internal static async Task<List<Materialized>> OursAsync(IServiceProvider services, RunWatcher watcher, IReadOnlyList<AudienceConfig> configs)
    {
        var queued = new List<(Guid RunId, Guid OrganizationId, Guid AudienceId)>();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            var now = DateTime.UtcNow;
            foreach (var config in configs)
            {
                var organization = new Organization { Id = Guid.NewGuid(), Name = $"bench-{Guid.NewGuid():N}", CreatedAt = now };
                var audience = new Audience
                {
                    Id = Guid.NewGuid(), OrganizationId = organization.Id, Name = "bench", Status = AudienceStatus.Active, Config = config.ToJson(),
                    ConfigHash = config.Hash(), CreatedAt = now, UpdatedAt = now,
                };
                var run = new AudienceRun
                {
                    CorrelationId = Guid.NewGuid(), AudienceId = audience.Id, OrganizationId = organization.Id, Status = RunStatus.Queued,
                    RunType = RunType.Manual, Config = audience.Config, ConfigHash = audience.ConfigHash, DataDate = Data.LastDate, CreatedAt = now, UpdatedAt = now,
                };
                db.AddRange(organization, audience, run);
                await publish.Publish(new MaterializeAudienceRun { RunId = run.CorrelationId, AudienceId = audience.Id, OrganizationId = organization.Id });
                queued.Add((run.CorrelationId, organization.Id, audience.Id));
            }

            await db.SaveChangesAsync();
        }

        var committed = Stopwatch.GetTimestamp();
        var committedAt = DateTime.UtcNow;
        var completed = await Task.WhenAll(queued.Select(q => watcher.CompletedAsync(q.RunId)));
        return queued.Zip(completed, (q, c) => new Materialized(
                Stopwatch.GetElapsedTime(committed, c.At), c.SnapshotBegan - committedAt, c.ResultCount, q.OrganizationId, q.AudienceId, q.RunId))
            .ToList();
    }

    /// <summary>Medians of the first page and of a deep page of one completed run, each GET through the real API.</summary>
    private async Task<(TimeSpan First, TimeSpan Deep)> PagesAsync(IServiceProvider services, Materialized run, int deepOffset)
    {
        string token;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
            (token, var row) = Tokens.Create(run.OrganizationId, TokenKind.Dashboard, DateTime.UtcNow);
            db.ApiTokens.Add(row);
            await db.SaveChangesAsync();
        }

        await using var api = await ApiProcess.StartAsync(settings);
        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var first = new List<TimeSpan>();
        var deep = new List<TimeSpan>();
        const int WarmUp = 5;
        for (var i = 0; i < WarmUp + PageCalls; i++)
        {
            var firstElapsed = await PageAsync(client, run, 0);
            var deepElapsed = await PageAsync(client, run, deepOffset);
            if (i >= WarmUp)
            {
                first.Add(firstElapsed);
                deep.Add(deepElapsed);
            }
        }

        return (Median(first), Median(deep));
    }

    private static async Task<TimeSpan> PageAsync(HttpClient client, Materialized run, int offset)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(
            new Uri($"/v1/intent/audiences/{run.AudienceId}/runs/{run.RunId}/results?limit={PageSize}&offset={offset}", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(body);
        var people = json.RootElement.GetProperty("data").GetProperty("results").GetArrayLength();
        return people == PageSize ? elapsed : throw new InvalidOperationException($"the page at offset {offset} had {people} people, not {PageSize}");
    }

    /// <summary>A run of ours: committed until seen completed, and committed until its snapshot's transaction began (the saga's hops).</summary>
    internal sealed record Materialized(TimeSpan Elapsed, TimeSpan BeforeSnapshot, long Results, Guid OrganizationId, Guid AudienceId, Guid RunId);

    /// <summary>The machine's load average, where the system tells it: on a shared machine, what the ratios were measured beside.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);
}
