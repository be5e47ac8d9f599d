using Intent.Api.Errors;
using Intent.Api.Topics;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Pipeline.Runs;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Intent.Api.Runs;

/// <summary><c>GET .../runs/{runId}/results</c>: 202 while the run is on its way, people once completed, 409 otherwise.</summary>
public static class RunResultsEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>
    /// One page of a snapshot: ranks are 1..N without gaps (<c>row_number()</c> when materialized), so the page
    /// after <c>@offset</c> is the ranks <c>(@offset, @last]</c>, held by at most two rows of member pages, read by their
    /// primary key <c>(snapshot id, page)</c>: it costs the same at any depth. The snapshot's id is looked up once by its key;
    /// the key is cast to the column's <c>character(64)</c>: compared as text, it could not use the index at all.
    /// </summary>
    public static readonly string PageSql = $"""
        SELECT m.intent_score, m.topic_overlap, m.matched_topic_ids, {string.Join(", ", ResultFields.All.Select(f => "p." + f.Column))}
        FROM {SnapshotPages.Ranks("(SELECT s.id FROM audience_snapshots s WHERE s.result_key = @key::character(64))", "@offset", "@last")}
            JOIN people p ON p.person_id = m.person_id
        ORDER BY m.rank
        """;

    public static void Map(RouteGroupBuilder runs) =>
        runs.MapGet("/{runId:guid}/results", GetResults).WithName("GetRunResults").WithSummary("A completed run's people, in score order")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);

    public static async Task<Results<Ok<DataEnvelope<RunResultsResponse>>, Accepted<DataEnvelope<RunResultsResponse>>>> GetResults(
        HttpContext http, Guid id, Guid runId, int? limit, int? offset, IntentDbContext db, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        var skip = offset ?? 0;
        Validation.Check(take is >= 1 and <= MaxLimit, "limit", $"must be from 1 to {MaxLimit}");
        Validation.Check(skip >= 0, "offset", "must be 0 or more");

        var run = await RunsEndpoints.FindRunAsync(http, id, runId, db, cancellationToken);
        var state = RunStatus.ToPublic(run.Status);
        switch (run.Status)
        {
            case RunStatus.Queued or RunStatus.Running:
                return TypedResults.Accepted((string?)null, http.Envelope(new RunResultsResponse(RunResponse.From(run), state, [], 0, take, skip)));
            case RunStatus.Completed:
                var people = await ReadAsync(db, run.ResultKey!, take, skip, cancellationToken);
                return TypedResults.Ok(http.Envelope(new RunResultsResponse(RunResponse.From(run), state, people, run.ResultCount, take, skip)));
            default:
                throw new ApiException(StatusCodes.Status409Conflict, "RUN_RESULTS_UNAVAILABLE", $"The run is {state}; it has no results.");
        }
    }

    private static async Task<List<RunResultPerson>> ReadAsync(IntentDbContext db, string resultKey, int limit, int offset, CancellationToken cancellationToken)
    {
        var rows = new List<(RunResultPerson Person, int[] Topics)>();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(PageSql, connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
            command.Parameters.AddWithValue("key", resultKey);
            command.Parameters.AddWithValue("offset", offset);
            command.Parameters.AddWithValue("last", (long)offset + limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            const int FirstField = 3;
            while (await reader.ReadAsync(cancellationToken))
            {
                var fields = new Dictionary<string, object?>(ResultFields.All.Count, StringComparer.Ordinal);
                for (var i = 0; i < ResultFields.All.Count; i++)
                {
                    fields[ResultFields.All[i].Name] = reader.IsDBNull(FirstField + i) ? null : reader.GetValue(FirstField + i);
                }

                var intent = new RunResultIntent(reader.GetInt16(0), reader.GetInt16(1), []);
                rows.Add((RunResultPerson.From(fields, intent), reader.GetFieldValue<int[]>(2)));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        var ids = rows.SelectMany(r => r.Topics).Distinct().ToList();
        var catalog = await db.Topics.AsNoTracking().Where(t => ids.Contains(t.TopicId))
            .ToDictionaryAsync(t => t.TopicId, t => new TopicResponse(t.TopicId, t.TopicName, SnakeCaseNames.Of(t.Type), t.Industry, t.Category), cancellationToken);
        return rows.Select(r => r.Person with
        {
            Intent = r.Person.Intent with { MatchedTopics = r.Topics.Where(catalog.ContainsKey).Select(t => catalog[t]).ToList() },
        }).ToList();
    }
}
