using Intent.Api.RateLimiting;
using Intent.Data;
using Intent.Pipeline.Exports;
using Intent.ServiceDefaults.Envelope;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Api.Runs;

/// <summary>
/// <c>GET .../runs/{runId}/export.csv</c>: a completed run's people as RFC 4180 CSV with a header row,
/// streamed from PostgreSQL's COPY to the client as it is produced; formula-like values neutralized
/// unless <c>Exports:NeutralizeFormulas</c> is off.
/// </summary>
public static class RunCsvEndpoint
{
    public static void Map(RouteGroupBuilder runs) =>
        runs.MapGet("/{runId:guid}/export.csv", GetCsv).WithName("GetRunCsv").RequireRateLimiting(RateLimitPolicies.CsvStream)
            .WithSummary("A completed run's people as CSV, streamed")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);

    public static async Task<IResult> GetCsv(
        HttpContext http, Guid id, Guid runId, IntentDbContext db, IConfiguration configuration, IOptions<ExportOptions> exports,
        CancellationToken cancellationToken)
    {
        var run = await RunsEndpoints.FindCompletedRunAsync(http, id, runId, db, "RUN_RESULTS_UNAVAILABLE", "There is a CSV of", cancellationToken);

        var audienceName = await db.Audiences.AsNoTracking().Where(a => a.Id == id).Select(a => a.Name).SingleAsync(cancellationToken);
        var connectionString = configuration.GetIntentConnectionString();
        var neutralizeFormulas = exports.Value.NeutralizeFormulas;
        return TypedResults.Stream(
            async body =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await ExportCsv.CopyAsync(connection, run.ResultKey!, neutralizeFormulas, body, cancellationToken);
            },
            "text/csv; charset=utf-8",
            ExportFileNames.For(audienceName, run.DataDate, run.CorrelationId));
    }
}
