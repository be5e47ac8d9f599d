using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Intent.Data;
using Intent.Data.Organizations;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Previews;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench preview</c>: on the data date of <c>bench materialize</c> (at least 10 million scores), a preview
/// of its audience through the real API beside the full materialization of the same config (our run, message to
/// completed) in the same invocation, each also as its bare statement with psql; then the filter catalog's latency beside
/// the API's liveness route.
/// </summary>
public sealed class PreviewBenchmark(BenchSettings settings)
{
    private const int Repetitions = 5;
    private const int CatalogWarmUp = 20;
    private const int CatalogCalls = 500;

    public async Task RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var scores = await MaterializeBenchmark.LoadAsync(dataSource);
        var catalogBuild = await BuildCatalogAsync(dataSource);
        using var json = JsonDocument.Parse(MaterializeBenchmark.ConfigJson);
        var config = AudienceConfigParser.Parse(json.RootElement).Config!;
        var date = MaterializeBenchmark.Data.LastDate;

        await using var worker = await WorkerBenchHost.StartAsync(settings);
        await using var api = await ApiProcess.StartAsync(settings);
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync(worker.Services));
        var materialize = new MaterializeBenchmark(settings);
        await using var runs = new RunWatcher(dataSource);

        var (_, warmCount) = await PreviewAsync(client, json.RootElement);
        var ours = new List<TimeSpan>();
        var previews = new List<TimeSpan>();
        var direct = new List<TimeSpan>();
        var previewDirect = new List<TimeSpan>();
        long results = 0;
        for (var i = 0; i < Repetitions; i++)
        {
            var run = (await MaterializeBenchmark.OursAsync(worker.Services, runs, [config])).Single();
            ours.Add(run.Elapsed);
            results = run.Results;
            var (elapsed, count) = await PreviewAsync(client, json.RootElement);
            previews.Add(elapsed);
            if (count != run.Results)
            {
                throw new InvalidOperationException($"the preview counted {count:N0} people, the run materialized {run.Results:N0}");
            }

            direct.Add(await materialize.DirectAsync(config, Guid.NewGuid()));
            var (statement, parameters) = AudiencePreviewer.BuildStatement(config, date, new PreviewOptions().SampleSize, new PreviewOptions().BreakdownSize);
            previewDirect.Add(await Psql.RunAsync(settings.ConnectionString, $"BEGIN READ ONLY;\n{Psql.Inline(statement, parameters)};\nCOMMIT;"));
        }

        var (catalog, floor) = await CatalogAsync(client);

        var oursMedian = Median(ours);
        var previewMedian = Median(previews);
        Console.WriteLine();
        Console.WriteLine($"data date {date:yyyy-MM-dd}: {scores:N0} scores; audience of 5 topics, score >= 50, with a business email: {results:N0} people (preview: {warmCount:N0})");
        Console.WriteLine($"| measure | median of {Repetitions} | x our run |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| our run: MaterializeAudienceRun committed -> run completed | {oursMedian.TotalMilliseconds:N0} ms | 1.00 |");
        Console.WriteLine($"| the materialization statement alone with psql, committed | {Median(direct).TotalMilliseconds:N0} ms | {Median(direct) / oursMedian:N2} |");
        Console.WriteLine($"| preview through the API: POST /v1/intent/audiences/preview -> 200 | {previewMedian.TotalMilliseconds:N0} ms | {previewMedian / oursMedian:N2} |");
        Console.WriteLine($"| the preview statement alone with psql, read-only | {Median(previewDirect).TotalMilliseconds:N0} ms | {Median(previewDirect) / oursMedian:N2} |");
        Console.WriteLine();
        Console.WriteLine($"target: preview <= 0.5 x materialization: {(previewMedian / oursMedian <= 0.5 ? "met" : "MISSED")}");
        Console.WriteLine();
        Console.WriteLine($"filter catalog: counted for {catalogBuild.People:N0} people ({catalogBuild.Values} values) in {catalogBuild.Elapsed.TotalMilliseconds:N0} ms when loaded");
        Console.WriteLine($"| {CatalogCalls} calls after {CatalogWarmUp}, the two routes in turn | p50 | p95 | p99 | max |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| GET /v1/intent/audiences/filters | {catalog.P50:N1} ms | {catalog.At(0.95):N1} ms | {catalog.P99:N1} ms | {catalog.Latencies[^1]:N1} ms |");
        Console.WriteLine($"| GET /health/live (floor: no token, no database) | {floor.P50:N1} ms | {floor.At(0.95):N1} ms | {floor.P99:N1} ms | {floor.Latencies[^1]:N1} ms |");
        Console.WriteLine();
        Console.WriteLine($"target: catalog p95 <= 20 ms: {(catalog.At(0.95) <= 20 ? "met" : "MISSED")}");
    }

    private sealed record CatalogBuild(long People, long Values, TimeSpan Elapsed);

    // LoadAsync counted the catalog already when it loaded the day; count again here to time it on its own.
    private static async Task<CatalogBuild> BuildCatalogAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var started = Stopwatch.GetTimestamp();
        var build = await FilterCatalogRefresh.RefreshAsync(connection, transaction);
        await transaction.CommitAsync();
        return new CatalogBuild(build.People, build.Values, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<string> TokenAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var organization = new Organization { Id = Guid.NewGuid(), Name = $"bench-preview-{Guid.NewGuid():N}", CreatedAt = DateTime.UtcNow };
        var (token, row) = Tokens.Create(organization.Id, TokenKind.Dashboard, DateTime.UtcNow);
        db.AddRange(organization, row);
        await db.SaveChangesAsync();
        return token;
    }

    private static async Task<(TimeSpan Elapsed, long Count)> PreviewAsync(HttpClient client, JsonElement config)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsJsonAsync(new Uri("/v1/intent/audiences/preview", UriKind.Relative), config);
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the preview answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        using var document = JsonDocument.Parse(body);
        return (elapsed, document.RootElement.GetProperty("data").GetProperty("totalCount").GetInt64());
    }

    /// <summary>The catalog's latencies, and those of the API's cheapest route (liveness) taken in turn with them: the machine's own tail.</summary>
    private static async Task<(Measured Catalog, Measured Floor)> CatalogAsync(HttpClient client)
    {
        var catalog = new List<double>();
        var floor = new List<double>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < CatalogWarmUp + CatalogCalls; i++)
        {
            var catalogElapsed = await TimedGetAsync(client, "/v1/intent/audiences/filters");
            var floorElapsed = await TimedGetAsync(client, "/health/live");
            if (i >= CatalogWarmUp)
            {
                catalog.Add(catalogElapsed);
                floor.Add(floorElapsed);
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return (Measured.Of(catalog, 0, elapsed), Measured.Of(floor, 0, elapsed));
    }

    private static async Task<double> TimedGetAsync(HttpClient client, string path)
    {
        var call = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        return Stopwatch.GetElapsedTime(call).TotalMilliseconds;
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);
}
