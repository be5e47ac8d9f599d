using System.Diagnostics;
using System.Text.Json;
using Intent.Api.Auth;
using Intent.Api.Errors;
using Intent.Api.RateLimiting;
using Intent.Data;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Previews;
using Intent.Pipeline.Runs;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Api.Audiences;

/// <summary>
/// <c>POST /v1/intent/audiences/preview</c>: how many people a config selects on the latest complete data date,
/// by industry and seniority, and a masked sample, counted with the run's own SQL; nothing is stored.
/// </summary>
public static class AudiencePreviewEndpoint
{
    public static void Map(RouteGroupBuilder audiences) =>
        audiences.MapPost("/preview", Preview).WithName("PreviewAudience").RequireRateLimiting(RateLimitPolicies.Expensive)
            .WithSummary("Preview a config: audience size, breakdowns and a masked sample on the latest data date")
            .WithDescription("The body is the config itself, as for validate (or {\"config\": {...}}). Nothing is stored; totalCount is the "
                + "resultCount a run of this config on dataDate gets. An invalid config answers 400; no complete data date, 409 NO_INTENT_DATA; "
                + "a preview over Previews__StatementTimeout, 503 PREVIEW_TIMEOUT.")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict)
            .Produces<ErrorEnvelope>(StatusCodes.Status503ServiceUnavailable);

    public static async Task<Ok<DataEnvelope<PreviewResponse>>> Preview(
        HttpContext http, [FromBody] JsonElement body, IntentDbContext db, IOptions<PreviewOptions> options, PipelineMetrics metrics,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(AudiencePreviewEndpoint));
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            var (config, errors) = body.ValueKind == JsonValueKind.Object
                ? await AudienceConfigs.NormalizeBodyAsync(body, db, cancellationToken)
                : (null, [new FieldError("body", "must be a JSON object: the config, or {\"config\": {...}}")]);
            if (config is null)
            {
                outcome = "invalid";
                throw Validation.Errors(errors);
            }

            await db.Database.OpenConnectionAsync(cancellationToken);
            AudiencePreview? preview;
            try
            {
                preview = await new AudiencePreviewer((NpgsqlConnection)db.Database.GetDbConnection()).PreviewAsync(config, options.Value, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !cancellationToken.IsCancellationRequested)
            {
                outcome = "timeout";
                logger.LogWarning("Preview of {Topics} topics and {Filters} filters for organization {OrganizationId} passed the statement timeout of {Timeout}",
                    config.TopicIds.Count, config.Filters.Count, http.User.OrganizationId(), options.Value.StatementTimeout);
                throw new ApiException(StatusCodes.Status503ServiceUnavailable, "PREVIEW_TIMEOUT",
                    "The preview took too long to count; narrow the config (fewer or rarer topics, a higher minScore) or queue a run.");
            }

            if (preview is null)
            {
                outcome = "no_data";
                throw new ApiException(StatusCodes.Status409Conflict, "NO_INTENT_DATA", "No intent data date is complete yet; there is nothing to preview.");
            }

            outcome = "completed";
            logger.LogInformation("Preview of {Topics} topics and {Filters} filters for organization {OrganizationId} on {DataDate}: {TotalCount} people in {ElapsedMs:F0} ms",
                config.TopicIds.Count, config.Filters.Count, http.User.OrganizationId(), preview.DataDate, preview.TotalCount,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return TypedResults.Ok(http.Envelope(new PreviewResponse(
                config.Hash(), preview.DataDate, AudienceMaterializer.Strategy(config), preview.TotalCount, preview.Breakdowns, preview.Sample,
                AppliedFilter.Of(config))));
        }
        finally
        {
            metrics.Preview(outcome, Stopwatch.GetElapsedTime(started));
        }
    }
}
