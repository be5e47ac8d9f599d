using System.Text.Json;
using Intent.Data;
using Intent.Data.Runs;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Intent.Api.Runs;

/// <summary><c>GET .../runs/{runId}/stats</c>: the stats computed with a completed run's snapshot; 409 for any other status.</summary>
public static class RunStatsEndpoint
{
    public static void Map(RouteGroupBuilder runs) =>
        runs.MapGet("/{runId:guid}/stats", GetStats).WithName("GetRunStats")
            .WithSummary("A completed run's stats: fill rates of every result field, score histogram, averages")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);

    public static async Task<Ok<DataEnvelope<RunStatsResponse>>> GetStats(
        HttpContext http, Guid id, Guid runId, IntentDbContext db, CancellationToken cancellationToken)
    {
        var run = await RunsEndpoints.FindCompletedRunAsync(http, id, runId, db, "RUN_STATS_UNAVAILABLE", "There are stats of", cancellationToken);

        var stats = await db.AudienceSnapshots.AsNoTracking().Where(s => s.ResultKey == run.ResultKey).Select(s => s.Stats).SingleOrDefaultAsync(cancellationToken)
            // A snapshot made before stats existed: compute them once now.
            ?? (await db.Database.SqlQueryRaw<string>(SnapshotStatsSql.Refresh(),
                new Npgsql.NpgsqlParameter("key", NpgsqlTypes.NpgsqlDbType.Char) { Value = run.ResultKey }).ToListAsync(cancellationToken)).Single();
        return TypedResults.Ok(http.Envelope(new RunStatsResponse(run.CorrelationId, run.ResultKey!, RunStats.From(stats))));
    }
}

/// <summary><c>data</c> of the stats endpoint.</summary>
public sealed record RunStatsResponse(Guid RunId, string ResultKey, RunStats Stats);

/// <summary>The stored stats document, its parts in a fixed order (jsonb keeps keys in its own order).</summary>
public sealed record RunStats(
    long Total,
    IReadOnlyDictionary<string, RunStats.Share> FillRates,
    IReadOnlyList<RunStats.HistogramBucket> ScoreHistogram,
    RunStats.Average Averages)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RunStats From(string document)
    {
        var stored = JsonSerializer.Deserialize<RunStats>(document, Json)
            ?? throw new InvalidOperationException("The snapshot's stats are empty.");
        var fills = new OrderedDictionary<string, Share>();
        foreach (var field in ResultFields.All)
        {
            fills[field.Name] = stored.FillRates.TryGetValue(field.Name, out var share) ? share : new Share(0, 0);
        }

        return stored with { FillRates = fills };
    }

    public sealed record Share(long Count, decimal Percent);

    public sealed record HistogramBucket(string Bucket, long Count, decimal Percent);

    public sealed record Average(decimal Score, decimal TopicOverlap);
}
