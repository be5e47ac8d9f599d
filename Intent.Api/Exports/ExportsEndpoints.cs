using Intent.Api.Errors;
using Intent.Api.RateLimiting;
using Intent.Api.Runs;
using Intent.Data;
using Intent.Data.Exports;
using Intent.Pipeline.Exports;
using Intent.ServiceDefaults.Envelope;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Intent.Api.Exports;

/// <summary>
/// Stored CSV exports: <c>POST .../runs/{runId}/exports</c> creates or reuses one (the worker writes the
/// file), and <c>GET /v1/intent/exports/{id}/download</c> serves it to whoever holds a valid signed link.
/// </summary>
public static class ExportsEndpoints
{
    public static IEndpointRouteBuilder MapExportsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/v1/intent/audiences/{id:guid}/runs").WithTags("Exports").RequireAuthorization()
            .MapPost("/{runId:guid}/exports", RequestExport).WithName("RequestRunExport").RequireRateLimiting(RateLimitPolicies.Expensive)
            .WithSummary("Create or reuse a stored CSV export of a completed run; 202 while it is written, 200 with a signed download link when stored")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);
        endpoints.MapGet("/v1/intent/exports/{exportId:guid}/download", Download).WithTags("Exports").AllowAnonymous()
            .WithName("DownloadExport").WithSummary("Download a stored export through its signed link")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .Produces<ErrorEnvelope>(StatusCodes.Status410Gone);
        return endpoints;
    }

    public static async Task<Results<Ok<DataEnvelope<ExportResponse>>, Accepted<DataEnvelope<ExportResponse>>>> RequestExport(
        HttpContext http, Guid id, Guid runId, IntentDbContext db, IPublishEndpoint publisher, DownloadUrls urls, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var run = await RunsEndpoints.FindCompletedRunAsync(http, id, runId, db, "RUN_RESULTS_UNAVAILABLE", "There are exports of", cancellationToken);

        AudienceExport export;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            export = await ExportRequests.RequestAsync(db, publisher, run, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (ExportRequests.IsDownloadable(export, clock.GetUtcNow().UtcDateTime))
        {
            return TypedResults.Ok(http.Envelope(ExportResponse.From(export, urls.Create(export.Id))));
        }

        return TypedResults.Accepted((string?)null, http.Envelope(ExportResponse.From(export, link: null)));
    }

    public static async Task<IResult> Download(
        Guid exportId, long? expires, string? signature, IntentDbContext db, DownloadUrls urls, IExportStore store, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (expires is not { } until || !urls.IsValid(exportId, until, signature))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "FORBIDDEN", "The download link is invalid or has expired; ask for a new one.");
        }

        var found = await db.AudienceExports.AsNoTracking()
            .Where(e => e.Id == exportId)
            .Join(db.AudienceRuns, e => e.RunId, r => r.CorrelationId, (e, r) => new { Export = e, r.DataDate })
            .Join(db.Audiences, x => x.Export.AudienceId, a => a.Id, (x, a) => new { x.Export, x.DataDate, a.Name })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new ApiException(StatusCodes.Status404NotFound, "NOT_FOUND", "No export with this id.");
        if (!ExportRequests.IsDownloadable(found.Export, clock.GetUtcNow().UtcDateTime))
        {
            throw new ApiException(StatusCodes.Status410Gone, "EXPORT_UNAVAILABLE", "The export is not stored any more; ask for it again.");
        }

        var file = await store.OpenReadAsync(found.Export.StorageKey!, cancellationToken)
            ?? throw new ApiException(StatusCodes.Status410Gone, "EXPORT_UNAVAILABLE", "The export's file is gone; ask for it again.");
        return TypedResults.File(file, found.Export.ContentType, ExportFileNames.For(found.Name, found.DataDate, found.Export.RunId));
    }
}

/// <summary><c>data</c> of the exports endpoint: the export and, once it is stored, a signed download link.</summary>
public sealed record ExportResponse(ExportBody Export, string? DownloadUrl, DateTime? DownloadUrlExpiresAt, int? DownloadUrlTtlSeconds)
{
    public static ExportResponse From(AudienceExport export, DownloadUrls.Link? link) =>
        new(ExportBody.From(export), link?.PathAndQuery, link?.ExpiresAt, link?.TtlSeconds);
}
