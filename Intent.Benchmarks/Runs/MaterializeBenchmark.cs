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
/// scores, our run from message to completed beside the same SQL run directly with psql.
/// </summary>
public sealed class MaterializeBenchmark(BenchSettings settings)
{
    private const int Repetitions = 3;
    private const int DeepOffset = 140_000;
    private const int PageSize = 100;
    private const int PageCalls = 25;
    private static readonly SeedOptions Data = new(People: 2_800_000, Topics: 2_000, Days: 1, Seed: 1, EndDate: new DateOnly(2001, 1, 1));
    private static readonly string ConfigJson = """
        {"topicIds": [3, 7, 12, 20, 31], "minScore": 50, "maxScore": 100, "minTopicOverlap": 1, "filters": {"contact.hasBusinessEmail": true}}
        """;

    public async Task RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var scores = await LoadAsync(dataSource);
        using var json = JsonDocument.Parse(ConfigJson);
        var config = AudienceConfigParser.Parse(json.RootElement).Config!;

        await using var worker = await WorkerBenchHost.StartAsync(settings);
        var ours = new List<TimeSpan>();
        var direct = new List<TimeSpan>();
        Materialized last = null!;
        for (var i = 0; i < Repetitions; i++)
        {
            // A new organization each time gives a new result key, so nothing is reused.
            direct.Add(await DirectAsync(config, Guid.NewGuid()));
            last = await OursAsync(worker.Services, config);
            ours.Add(last.Elapsed);
        }

        var results = last.Results;
        var deepOffset = (int)Math.Min(DeepOffset, results - PageSize);
        var (firstPage, deepPage) = await PagesAsync(worker.Services, last, deepOffset);

        var oursMedian = Median(ours);
        var directMedian = Median(direct);
        Console.WriteLine();
        Console.WriteLine($"data date {Data.LastDate:yyyy-MM-dd}: {scores:N0} scores; audience of 5 topics, score >= 50, with a business email: {results:N0} people");
        Console.WriteLine("| measure | median of 3 | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| same SQL with psql (claim + INSERT ... SELECT + counts, one transaction) | {directMedian.TotalMilliseconds:N0} ms | 1.00 |");
        Console.WriteLine($"| our run, MaterializeAudienceRun committed -> run completed | {oursMedian.TotalMilliseconds:N0} ms | {oursMedian / directMedian:N2} |");
        Console.WriteLine();
        Console.WriteLine($"target: ours <= 1.2 x psql: {(oursMedian / directMedian <= 1.2 ? "met" : "MISSED")}");
        Console.WriteLine();
        Console.WriteLine($"| results of that run through the API, {PageSize} people a page | median of {PageCalls} | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| page at offset 0 | {firstPage.TotalMilliseconds:N1} ms | 1.00 |");
        Console.WriteLine($"| page at offset {deepOffset:N0} | {deepPage.TotalMilliseconds:N1} ms | {deepPage / firstPage:N2} |");
        Console.WriteLine();
        Console.WriteLine($"target: deep page <= 1.5 x first page: {(deepPage / firstPage <= 1.5 ? "met" : "MISSED")}");
    }

    private static async Task<long> LoadAsync(NpgsqlDataSource dataSource)
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
        return rows >= 10_000_000 ? rows : throw new InvalidOperationException($"only {rows:N0} scores were generated; raise the people count");
    }

    private async Task<TimeSpan> DirectAsync(AudienceConfig config, Guid organizationId)
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

    private static async Task<Materialized> OursAsync(IServiceProvider services, AudienceConfig config)
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

    private sealed record Materialized(TimeSpan Elapsed, long Results, Guid OrganizationId, Guid AudienceId, Guid RunId);

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);
}
