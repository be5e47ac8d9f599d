using System.Text.Json;
using Intent.Api.Auth;
using Intent.Api.Errors;
using Intent.Data;
using Intent.Data.Audiences;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Exports;
using Intent.Pipeline.Runs;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Intent.Api.Audiences;

/// <summary>Saved audiences of the caller's organization. Another organization's audience is simply not found.</summary>
public static class AudiencesEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    public const int MaxNameLength = 255;
    public const int MaxReadyEmailRecipients = 10;

    public static IEndpointRouteBuilder MapAudiencesEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var audiences = endpoints.MapGroup("/v1/intent/audiences").WithTags("Audiences").RequireAuthorization();
        audiences.MapPost("/", CreateAudience).WithName("CreateAudience").WithSummary("Create an audience")
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden);
        audiences.MapGet("/", ListAudiences).WithName("ListAudiences").WithSummary("List audiences, newest first");
        audiences.MapPost("/validate", ValidateConfig).WithName("ValidateAudienceConfig").WithSummary("Validate and normalize a config")
            .WithDescription("The body is the config itself (topicIds, minScore, maxScore, minTopicOverlap, filters, sourceUrl at the top level), "
                + "or {\"config\": {...}}. An invalid config answers 200 with valid: false and its errors.");
        AudiencePreviewEndpoint.Map(audiences);
        FilterCatalogEndpoint.Map(audiences);
        audiences.MapGet("/{id:guid}", GetAudience).WithName("GetAudience").WithSummary("Get an audience");
        audiences.MapPatch("/{id:guid}", UpdateAudience).WithName("UpdateAudience").WithSummary("Change an audience")
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden);
        audiences.MapDelete("/{id:guid}", DeleteAudience).WithName("DeleteAudience").WithSummary("Delete an audience");
        return endpoints;
    }

    public static async Task<Created<DataEnvelope<AudienceResponse>>> CreateAudience(
        HttpContext http, CreateAudienceRequest request, IntentDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var name = CheckName(request.Name, required: true, errors);
        var status = CheckStatus(request.Status, errors) ?? AudienceStatus.Draft;
        var recipients = CheckRecipients(request.ReadyEmailRecipients, errors) ?? [];
        var (config, configErrors) = await AudienceConfigs.NormalizeAsync(request.Config, db, cancellationToken);
        errors.AddRange(configErrors);
        if (errors.Count > 0)
        {
            throw Validation.Errors(errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var audience = new Audience
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = http.User.OrganizationId(),
            Name = name!,
            Status = status,
            DailyRefreshEnabled = request.DailyRefreshEnabled ?? status == AudienceStatus.Active,
            Config = config!.ToJson(),
            ConfigHash = config.Hash(),
            ReadyEmailRecipients = recipients,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Audiences.Add(audience);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/intent/audiences/{audience.Id}", http.Envelope(AudienceResponse.From(audience)));
    }

    public static async Task<Ok<DataEnvelope<List<AudienceResponse>>>> ListAudiences(
        HttpContext http, IntentDbContext db, string? status, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        Validation.Check(take is >= 1 and <= MaxLimit, "limit", $"must be from 1 to {MaxLimit}");
        var organizationId = http.User.OrganizationId();
        var audiences = db.Audiences.AsNoTracking().Where(a => a.OrganizationId == organizationId);
        if (!string.IsNullOrEmpty(status))
        {
            Validation.Check(SnakeCaseNames.TryParse<AudienceStatus>(status, out var wanted), "status", $"must be {SnakeCaseNames.All<AudienceStatus>()}");
            audiences = audiences.Where(a => a.Status == wanted);
        }

        var page = await audiences.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(http.Envelope(page.Select(AudienceResponse.From).ToList()));
    }

    public static async Task<Ok<DataEnvelope<AudienceResponse>>> GetAudience(HttpContext http, Guid id, IntentDbContext db, CancellationToken cancellationToken)
    {
        var audience = await FindAsync(http, id, db, tracking: false, cancellationToken);
        return TypedResults.Ok(http.Envelope(AudienceResponse.From(audience)));
    }

    public static async Task<Ok<DataEnvelope<AudienceResponse>>> UpdateAudience(
        HttpContext http, Guid id, UpdateAudienceRequest request, IntentDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var name = CheckName(request.Name, required: false, errors);
        var status = CheckStatus(request.Status, errors);
        var recipients = CheckRecipients(request.ReadyEmailRecipients, errors);
        AudienceConfig? config = null;
        if (request.Config is { ValueKind: not JsonValueKind.Null })
        {
            var (normalized, configErrors) = await AudienceConfigs.NormalizeAsync(request.Config, db, cancellationToken);
            config = normalized;
            errors.AddRange(configErrors);
        }

        if (errors.Count > 0)
        {
            throw Validation.Errors(errors);
        }

        var audience = await FindAsync(http, id, db, tracking: true, cancellationToken);
        audience.Name = name ?? audience.Name;
        audience.Status = status ?? audience.Status;
        audience.DailyRefreshEnabled = request.DailyRefreshEnabled ?? audience.DailyRefreshEnabled;
        audience.ReadyEmailRecipients = recipients ?? audience.ReadyEmailRecipients;
        if (config is not null)
        {
            audience.Config = config.ToJson();
            audience.ConfigHash = config.Hash();
        }

        audience.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(http.Envelope(AudienceResponse.From(audience)));
    }

    public static async Task<Ok<DataEnvelope<DeletedResponse>>> DeleteAudience(
        HttpContext http, Guid id, IntentDbContext db, IExportStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var organizationId = http.User.OrganizationId();

        // The audience, its runs and exports go in one transaction, in which a trigger queues every stored
        // file for removal; the files are then removed at once, and whatever that misses the exports sweep does.
        List<string> files;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            files = await db.Database.SqlQuery<string>(
                $"""
                SELECT storage_key AS "Value" FROM audience_exports
                WHERE audience_id = {id} AND organization_id = {organizationId} AND storage_key IS NOT NULL FOR UPDATE
                """).ToListAsync(cancellationToken);
            if (await db.Audiences.Where(a => a.Id == id && a.OrganizationId == organizationId).ExecuteDeleteAsync(cancellationToken) == 0)
            {
                throw NotFound();
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await ExportFileRemovals.RemoveNowAsync(db, store, files, loggers.CreateLogger(typeof(AudiencesEndpoints)), CancellationToken.None);
        return TypedResults.Ok(http.Envelope(new DeletedResponse(id, true)));
    }

    public static async Task<Ok<DataEnvelope<ValidationResponse>>> ValidateConfig(
        HttpContext http, [FromBody] JsonElement body, IntentDbContext db, CancellationToken cancellationToken)
    {
        Validation.Check(body.ValueKind == JsonValueKind.Object, "body", "must be a JSON object: the config, or {\"config\": {...}}");
        var (config, errors) = await AudienceConfigs.NormalizeBodyAsync(body, db, cancellationToken);
        var response = config is null
            ? new ValidationResponse(false, null, null, null, null, Validation.Listed(errors), errors.Count)
            : new ValidationResponse(true, config.Hash(), JsonSerializer.Deserialize<JsonElement>(config.ToJson()), AppliedFilter.Of(config),
                AudienceMaterializer.Strategy(config), null, null);
        return TypedResults.Ok(http.Envelope(response));
    }

    private static async Task<Audience> FindAsync(HttpContext http, Guid id, IntentDbContext db, bool tracking, CancellationToken cancellationToken)
    {
        var organizationId = http.User.OrganizationId();
        var query = tracking ? db.Audiences : db.Audiences.AsNoTracking();
        return await query.SingleOrDefaultAsync(a => a.Id == id && a.OrganizationId == organizationId, cancellationToken) ?? throw NotFound();
    }

    private static ApiException NotFound() => new(StatusCodes.Status404NotFound, "NOT_FOUND", "No audience with this id.");

    private static string? CheckName(string? name, bool required, List<FieldError> errors)
    {
        if (name is null)
        {
            if (required)
            {
                errors.Add(new FieldError("name", "is required"));
            }

            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            errors.Add(new FieldError("name", $"must be 1 to {MaxNameLength} characters"));
            return null;
        }

        // Names go into email subjects and CSV file names: no line breaks, tabs or other control characters.
        if (trimmed.Any(char.IsControl))
        {
            errors.Add(new FieldError("name", "must not contain control characters (line breaks, tabs, NUL, ...)"));
            return null;
        }

        return trimmed;
    }

    /// <summary>Up to 10 distinct email addresses (trimmed); <c>[]</c> turns the ready email off.</summary>
    private static List<string>? CheckRecipients(List<string?>? recipients, List<FieldError> errors)
    {
        if (recipients is null)
        {
            return null;
        }

        if (recipients.Count > MaxReadyEmailRecipients)
        {
            errors.Add(new FieldError("readyEmailRecipients", $"must hold at most {MaxReadyEmailRecipients} addresses"));
            return null;
        }

        var valid = new List<string>();
        for (var i = 0; i < recipients.Count; i++)
        {
            var address = recipients[i]?.Trim();
            if (address is null || address.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
            {
                errors.Add(new FieldError($"readyEmailRecipients[{i}]", "must be an email address"));
            }
            else if (!valid.Contains(address, StringComparer.OrdinalIgnoreCase))
            {
                valid.Add(address);
            }
        }

        return valid;
    }

    private static AudienceStatus? CheckStatus(string? status, List<FieldError> errors)
    {
        if (status is null)
        {
            return null;
        }

        if (SnakeCaseNames.TryParse<AudienceStatus>(status, out var parsed))
        {
            return parsed;
        }

        errors.Add(new FieldError("status", $"must be {SnakeCaseNames.All<AudienceStatus>()}"));
        return null;
    }
}
