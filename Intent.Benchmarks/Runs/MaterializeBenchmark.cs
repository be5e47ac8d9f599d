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
using Microsoft.EntityFrameworkCore;
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
    private const int Repetitions = 3;
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
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var scores = await LoadAsync(dataSource);
        using var json = JsonDocument.Parse(ConfigJson);
        var config = AudienceConfigParser.Parse(json.RootElement).Config!;

        await using var worker = await WorkerBenchHost.StartAsync(settings);
        var ours = new List<TimeSpan>();
        var direct = new List<TimeSpan>();
        var candidates = new List<TimeSpan>();
        var filtered = new List<TimeSpan>();
        var inserted = new List<TimeSpan>();
        Materialized last = null!;
        for (var i = 0; i < Repetitions; i++)
        {
            // A new organization each time gives a new result key, so nothing is reused.
            candidates.Add(await StepAsync(config, Step.Candidates));
            filtered.Add(await StepAsync(config, Step.Filtered));
            inserted.Add(await StepAsync(config, Step.Inserted));
            direct.Add(await DirectAsync(config, Guid.NewGuid()));
            last = await OursAsync(worker.Services, config);
            ours.Add(last.Elapsed);
        }

        var configs = ConcurrentConfigJson.Select(text =>
        {
            using var document = JsonDocument.Parse(text);
            return AudienceConfigParser.Parse(document.RootElement).Config!;
        }).ToList();
        var concurrentDirect = new List<TimeSpan>();
        var concurrentOurs = new List<TimeSpan>();
        for (var i = 0; i < Repetitions; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(configs.Select(c => DirectAsync(c, Guid.NewGuid())));
            concurrentDirect.Add(Stopwatch.GetElapsedTime(started));
            started = Stopwatch.GetTimestamp();
            await Task.WhenAll(configs.Select(c => OursAsync(worker.Services, c)));
            concurrentOurs.Add(Stopwatch.GetElapsedTime(started));
        }

        var results = last.Results;
        var deepOffset = (int)Math.Min(DeepOffset, results - PageSize);
        var (firstPage, deepPage) = await PagesAsync(worker.Services, last, deepOffset);

        var oursMedian = Median(ours);
        var directMedian = Median(direct);
        var floor = Median(candidates);
        Console.WriteLine();
        Console.WriteLine($"data date {Data.LastDate:yyyy-MM-dd}: {scores:N0} scores; audience of 5 topics, score >= 50, with a business email: {results:N0} people");
        Console.WriteLine("| measure | median of 3 | x floor | x psql |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine($"| floor: candidate step alone with psql (day's partition, index-only, counted) | {floor.TotalMilliseconds:N0} ms | 1.00 | {floor / directMedian:N2} |");
        Console.WriteLine($"| + filter on people_traits (counted) | {Median(filtered).TotalMilliseconds:N0} ms | {Median(filtered) / floor:N2} | {Median(filtered) / directMedian:N2} |");
        Console.WriteLine($"| + claim and insert of the members, committed | {Median(inserted).TotalMilliseconds:N0} ms | {Median(inserted) / floor:N2} | {Median(inserted) / directMedian:N2} |");
        Console.WriteLine($"| + counts and stats: the whole statement with psql, committed | {directMedian.TotalMilliseconds:N0} ms | {directMedian / floor:N2} | 1.00 |");
        Console.WriteLine($"| our run, MaterializeAudienceRun committed -> run completed | {oursMedian.TotalMilliseconds:N0} ms | {oursMedian / floor:N2} | {oursMedian / directMedian:N2} |");
        Console.WriteLine();
        Console.WriteLine($"target: ours <= 5 x floor: {(oursMedian / floor <= 5 ? "met" : "MISSED")}; ours <= 1.05 x psql: {(oursMedian / directMedian <= 1.05 ? "met" : "MISSED")}");
        var together = Median(concurrentOurs);
        var togetherDirect = Median(concurrentDirect);
        Console.WriteLine();
        Console.WriteLine($"| four different audiences at once | median of 3 | psql / ours |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| the four statements at once with psql | {togetherDirect.TotalMilliseconds:N0} ms | 1.00 |");
        Console.WriteLine($"| our four runs at once, all committed -> all completed | {together.TotalMilliseconds:N0} ms | {togetherDirect / together:N2} |");
        Console.WriteLine();
        Console.WriteLine($"target: psql / ours >= 0.9: {(togetherDirect / together >= 0.9 ? "met" : "MISSED")}");
        Console.WriteLine();
        Console.WriteLine($"| results of that run through the API, {PageSize} people a page | median of {PageCalls} | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| page at offset 0 | {firstPage.TotalMilliseconds:N1} ms | 1.00 |");
        Console.WriteLine($"| page at offset {deepOffset:N0} | {deepPage.TotalMilliseconds:N1} ms | {deepPage / firstPage:N2} |");
        Console.WriteLine();
        Console.WriteLine($"target: deep page <= 1.5 x first page: {(deepPage / firstPage <= 1.5 ? "met" : "MISSED")}");
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
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE people";
        await analyze.ExecuteNonQueryAsync();
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
        Filtered,
        Inserted,
    }

    /// <summary>A prefix of the materialization, with psql: what it costs to get that far.</summary>
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
            Step.Filtered => $"SELECT count(*) FROM ({candidates}) m JOIN people_traits p ON p.person_id = m.person_id WHERE {where};",
            _ => $"""
                BEGIN;
                INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
                VALUES ('{key}', '{organizationId}', '{hash}', '{Data.LastDate:yyyy-MM-dd}', 0, 0, now());
                {statement[..statement.IndexOf("UPDATE audience_snapshots", StringComparison.Ordinal)]}
                SELECT (SELECT count(*) FROM matched), (SELECT count(*) FROM inserted);
                COMMIT;
                """,
        };
        return await Psql.RunAsync(settings.ConnectionString, Psql.Inline(sql, parameters));
    }

    internal static async Task<Materialized> OursAsync(IServiceProvider services, AudienceConfig config)
    {
        Guid runId;
        Guid organizationId;
        Guid audienceId;
        long committed;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
            var now = DateTime.UtcNow;
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
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>()
                .Publish(new MaterializeAudienceRun { RunId = run.CorrelationId, AudienceId = audience.Id, OrganizationId = organization.Id });
            await db.SaveChangesAsync();
            committed = Stopwatch.GetTimestamp();
            (runId, organizationId, audienceId) = (run.CorrelationId, organization.Id, audience.Id);
        }

        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
            var run = await db.AudienceRuns.AsNoTracking().SingleAsync(r => r.CorrelationId == runId);
            if (run.Status == RunStatus.Completed)
            {
                return new Materialized(Stopwatch.GetElapsedTime(committed), run.ResultCount, organizationId, audienceId, runId);
            }

            if (run.Status == RunStatus.Failed)
            {
                throw new InvalidOperationException($"the run failed: {run.ErrorCode} {run.ErrorMessage}");
            }

            await Task.Delay(5);
        }
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

    internal sealed record Materialized(TimeSpan Elapsed, long Results, Guid OrganizationId, Guid AudienceId, Guid RunId);

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);
}
