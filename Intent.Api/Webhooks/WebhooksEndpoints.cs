using System.Diagnostics;
using Intent.Api.Auth;
using Intent.Api.Errors;
using Intent.Api.RateLimiting;
using Intent.Data;
using Intent.Data.Webhooks;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Webhooks;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Intent.Api.Webhooks;

/// <summary>
/// The organization's webhooks and their delivery log. Another organization's webhook is simply not
/// found. Events reach webhooks through the worker (<see cref="FanOutWebhookEventConsumer"/>,
/// <see cref="WebhookDeliveryLoop"/>); the test event and a retry asked here are deliveries due now, which the
/// workers' delivery loops find within <c>Webhooks:PollInterval</c>.
/// </summary>
public static class WebhooksEndpoints
{
    public const int MaxDescriptionLength = 500;
    public const int DefaultDeliveriesLimit = 25;
    public const int MaxDeliveriesLimit = 100;

    public static IEndpointRouteBuilder MapWebhooksEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var webhooks = endpoints.MapGroup("/v1/intent/webhooks").WithTags("Webhooks").RequireAuthorization();
        webhooks.MapPost("/", CreateWebhook).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to events; the answer holds the signing secret, shown this once")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);
        webhooks.MapGet("/", ListWebhooks).WithName("ListWebhooks").WithSummary("List the organization's webhooks, newest first");
        webhooks.MapGet("/{webhookId:guid}", GetWebhook).WithName("GetWebhook").WithSummary("Get a webhook");
        webhooks.MapPatch("/{webhookId:guid}", UpdateWebhook).WithName("UpdateWebhook")
            .WithSummary("Change a webhook; enabling it again clears why it was disabled");
        webhooks.MapDelete("/{webhookId:guid}", DeleteWebhook).WithName("DeleteWebhook").WithSummary("Delete a webhook and its delivery log");
        webhooks.MapPost("/{webhookId:guid}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret")
            .WithSummary("Replace the signing secret; the previous one still signs for the grace period");
        webhooks.MapPost("/{webhookId:guid}/test", SendTest).WithName("TestWebhook").RequireRateLimiting(RateLimitPolicies.Expensive)
            .WithSummary("Send a webhook.test event to this webhook");
        webhooks.MapGet("/{webhookId:guid}/deliveries", ListDeliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The webhook's delivery log, newest first");
        webhooks.MapPost("/{webhookId:guid}/deliveries/{deliveryId:guid}/retry", RetryDelivery).WithName("RetryWebhookDelivery")
            .RequireRateLimiting(RateLimitPolicies.Expensive)
            .WithSummary("Attempt a pending or failed delivery again now")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);
        return endpoints;
    }

    public static async Task<Created<DataEnvelope<WebhookResponse>>> CreateWebhook(
        HttpContext http, CreateWebhookRequest request, IntentDbContext db, IOptions<WebhookOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var url = await CheckUrlAsync(request.Url, required: true, options.Value, errors, cancellationToken);
        var events = CheckEvents(request.Events, required: true, errors);
        var description = CheckDescription(request.Description, errors);
        if (errors.Count > 0)
        {
            throw Validation.Errors(errors);
        }

        var organizationId = http.User.OrganizationId();
        var now = clock.GetUtcNow().UtcDateTime;
        var webhook = new Webhook
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organizationId,
            Url = url!,
            Events = events!,
            Enabled = request.Enabled ?? true,
            Description = description,
            Secret = WebhookSignatures.NewSecret(),
            CreatedAt = now,
            UpdatedAt = now,
        };

        // The organization's row is locked while its webhooks are counted, so concurrent creations are counted one after another.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM organizations WHERE id = {organizationId} FOR NO KEY UPDATE", cancellationToken);
            var limit = options.Value.MaxPerOrganization;
            if (await db.Webhooks.CountAsync(w => w.OrganizationId == organizationId, cancellationToken) >= limit)
            {
                throw new ApiException(StatusCodes.Status409Conflict, "WEBHOOK_LIMIT_REACHED",
                    $"Your organization has its {limit} webhooks; delete one first.");
            }

            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return TypedResults.Created($"/v1/intent/webhooks/{webhook.Id}", http.Envelope(WebhookResponse.From(webhook, now, withSecret: true)));
    }

    public static async Task<Ok<DataEnvelope<List<WebhookResponse>>>> ListWebhooks(
        HttpContext http, IntentDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var organizationId = http.User.OrganizationId();
        var now = clock.GetUtcNow().UtcDateTime;
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.OrganizationId == organizationId)
            .OrderByDescending(w => w.CreatedAt).ThenByDescending(w => w.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(http.Envelope(webhooks.Select(w => WebhookResponse.From(w, now)).ToList()));
    }

    public static async Task<Ok<DataEnvelope<WebhookResponse>>> GetWebhook(
        HttpContext http, Guid webhookId, IntentDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Ok(http.Envelope(WebhookResponse.From(await FindAsync(http, webhookId, db, tracking: false, cancellationToken), clock.GetUtcNow().UtcDateTime)));

    public static async Task<Ok<DataEnvelope<WebhookResponse>>> UpdateWebhook(
        HttpContext http, Guid webhookId, UpdateWebhookRequest request, IntentDbContext db, IOptions<WebhookOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var url = await CheckUrlAsync(request.Url, required: false, options.Value, errors, cancellationToken);
        var events = CheckEvents(request.Events, required: false, errors);
        var description = CheckDescription(request.Description, errors);
        if (errors.Count > 0)
        {
            throw Validation.Errors(errors);
        }

        var webhook = await FindAsync(http, webhookId, db, tracking: true, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        webhook.Url = url ?? webhook.Url;
        webhook.Events = events ?? webhook.Events;
        if (request.Description is not null)
        {
            webhook.Description = description;
        }

        if (request.Enabled is { } enabled && enabled != webhook.Enabled)
        {
            webhook.Enabled = enabled;
            webhook.DisabledReason = null;
            webhook.DisabledAt = enabled ? null : now;
            webhook.ConsecutiveFailures = 0;
        }

        webhook.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(http.Envelope(WebhookResponse.From(webhook, now)));
    }

    public static async Task<Ok<DataEnvelope<Audiences.DeletedResponse>>> DeleteWebhook(
        HttpContext http, Guid webhookId, IntentDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.User.OrganizationId();
        if (await db.Webhooks.Where(w => w.Id == webhookId && w.OrganizationId == organizationId).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            throw NotFound();
        }

        return TypedResults.Ok(http.Envelope(new Audiences.DeletedResponse(webhookId, true)));
    }

    public static async Task<Ok<DataEnvelope<WebhookResponse>>> RotateSecret(
        HttpContext http, Guid webhookId, IntentDbContext db, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var webhook = await FindAsync(http, webhookId, db, tracking: true, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var grace = options.Value.SecretGracePeriod;
        webhook.PreviousSecret = grace > TimeSpan.Zero ? webhook.Secret : null;
        webhook.PreviousSecretExpiresAt = grace > TimeSpan.Zero ? now + grace : null;
        webhook.Secret = WebhookSignatures.NewSecret();
        webhook.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(http.Envelope(WebhookResponse.From(webhook, now, withSecret: true)));
    }

    public static async Task<Accepted<DataEnvelope<WebhookDeliveryResponse>>> SendTest(
        HttpContext http, Guid webhookId, IntentDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var webhook = await FindAsync(http, webhookId, db, tracking: false, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var webhookEvent = new WebhookEvent
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = webhook.OrganizationId,
            Type = WebhookEventTypes.Test,
            Payload = WebhookEvents.Payload(WebhookEventTypes.Test, now,
                new { webhookId = webhook.Id, organizationId = webhook.OrganizationId, message = "A test event from Intent: this webhook receives what it subscribed to." }),
            CreatedAt = now,
        };
        var delivery = new WebhookDelivery
        {
            Id = Guid.CreateVersion7(),
            WebhookId = webhook.Id,
            EventId = webhookEvent.Id,
            EventType = WebhookEventTypes.Test,
            NextAttemptAt = now,
            TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.WebhookEvents.Add(webhookEvent);
        db.WebhookDeliveries.Add(delivery);
        db.WebhookDueDeliveries.Add(new WebhookDueDelivery { DeliveryId = delivery.Id, NextAttemptAt = now });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, http.Envelope(WebhookDeliveryResponse.From(delivery)));
    }

    public static async Task<Ok<DataEnvelope<List<WebhookDeliveryResponse>>>> ListDeliveries(
        HttpContext http, Guid webhookId, int? limit, string? status, IntentDbContext db, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultDeliveriesLimit;
        Validation.Check(take is >= 1 and <= MaxDeliveriesLimit, "limit", $"must be from 1 to {MaxDeliveriesLimit}");
        Validation.Check(string.IsNullOrEmpty(status) || WebhookDeliveryStatus.All.Contains(status), "status", $"must be {string.Join(", ", WebhookDeliveryStatus.All)}");
        var webhook = await FindAsync(http, webhookId, db, tracking: false, cancellationToken);
        var deliveries = db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhook.Id);
        if (!string.IsNullOrEmpty(status))
        {
            deliveries = deliveries.Where(d => d.Status == status);
        }

        var page = await deliveries.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take).ToListAsync(cancellationToken);
        await CountUnderWayAsync(page, db, cancellationToken);
        return TypedResults.Ok(http.Envelope(page.Select(WebhookDeliveryResponse.From).ToList()));
    }

    public static async Task<Accepted<DataEnvelope<WebhookDeliveryResponse>>> RetryDelivery(
        HttpContext http, Guid webhookId, Guid deliveryId, IntentDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var webhook = await FindAsync(http, webhookId, db, tracking: false, cancellationToken);
        if (!webhook.Enabled)
        {
            throw new ApiException(StatusCodes.Status409Conflict, "WEBHOOK_DISABLED", "The webhook is disabled; enable it before retrying its deliveries.");
        }

        // Due now, unless an attempt holds it under a lease: that attempt is the one asked for, and it is left to finish.
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The timer first, then the log's row, in the order the delivery loop's recording locks them.
        await db.Database.ExecuteSqlAsync(
            $"""
            SELECT q.delivery_id FROM webhook_due_deliveries q JOIN webhook_deliveries d ON d.id = q.delivery_id AND d.webhook_id = {webhook.Id}
            WHERE q.delivery_id = {deliveryId}
            FOR UPDATE OF q
            """,
            cancellationToken);
        var moved = await db.WebhookDeliveries.FromSql(
            $"""
            WITH target AS (
                SELECT d.id FROM webhook_deliveries d
                WHERE d.id = {deliveryId} AND d.webhook_id = {webhook.Id} AND d.status <> {WebhookDeliveryStatus.Delivered}
                FOR UPDATE OF d
            ),
            due AS (
                INSERT INTO webhook_due_deliveries (delivery_id, next_attempt_at) SELECT id, {now} FROM target
                ON CONFLICT (delivery_id) DO UPDATE SET next_attempt_at = excluded.next_attempt_at, claimed_until = NULL
                WHERE webhook_due_deliveries.claimed_until IS NULL OR webhook_due_deliveries.claimed_until <= {now}
                RETURNING delivery_id
            )
            UPDATE webhook_deliveries d SET status = {WebhookDeliveryStatus.Pending}, next_attempt_at = {now}, updated_at = {now}
            FROM due
            WHERE d.id = due.delivery_id
            RETURNING d.*
            """).AsNoTracking().ToListAsync(cancellationToken);
        var delivery = moved.SingleOrDefault()
            ?? await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId && d.WebhookId == webhook.Id, cancellationToken)
            ?? throw new ApiException(StatusCodes.Status404NotFound, "NOT_FOUND", "No delivery with this id for this webhook.");
        if (moved.Count == 0 && delivery.Status == WebhookDeliveryStatus.Delivered)
        {
            throw new ApiException(StatusCodes.Status409Conflict, "DELIVERY_ALREADY_DELIVERED", "This delivery was delivered; it is not sent again.");
        }

        await CountUnderWayAsync([delivery], db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, http.Envelope(WebhookDeliveryResponse.From(delivery)));
    }

    /// <summary>
    /// A pending delivery's attempts as the log shows them, counting one under way: the delivery loop counts an attempt
    /// on the delivery's timer when it claims it, and on the log's row only with the outcome.
    /// </summary>
    private static async Task CountUnderWayAsync(List<WebhookDelivery> deliveries, IntentDbContext db, CancellationToken cancellationToken)
    {
        var pending = deliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending).Select(d => d.Id).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var counted = await db.WebhookDueDeliveries.AsNoTracking()
            .Where(q => pending.Contains(q.DeliveryId) && q.Attempts != null)
            .ToDictionaryAsync(q => q.DeliveryId, q => q.Attempts!.Value, cancellationToken);
        foreach (var delivery in deliveries)
        {
            if (counted.TryGetValue(delivery.Id, out var attempts))
            {
                delivery.Attempts = attempts;
            }
        }
    }

    private static async Task<Webhook> FindAsync(HttpContext http, Guid webhookId, IntentDbContext db, bool tracking, CancellationToken cancellationToken)
    {
        var organizationId = http.User.OrganizationId();
        var query = tracking ? db.Webhooks : db.Webhooks.AsNoTracking();
        return await query.SingleOrDefaultAsync(w => w.Id == webhookId && w.OrganizationId == organizationId, cancellationToken) ?? throw NotFound();
    }

    private static ApiException NotFound() => new(StatusCodes.Status404NotFound, "NOT_FOUND", "No webhook with this id.");

    private static async Task<string?> CheckUrlAsync(string? url, bool required, WebhookOptions options, List<FieldError> errors, CancellationToken cancellationToken)
    {
        if (url is null && !required)
        {
            return null;
        }

        var (checkedUrl, problem) = await WebhookTargets.CheckAsync(url, options.AllowPrivateTargets, cancellationToken);
        if (problem is not null)
        {
            errors.Add(new FieldError("url", problem));
        }

        return checkedUrl?.OriginalString;
    }

    private static string[]? CheckEvents(List<string?>? events, bool required, List<FieldError> errors)
    {
        var known = WebhookEventTypes.Subscribable;
        if (events is null)
        {
            if (required)
            {
                errors.Add(new FieldError("events", $"is required: one or more of {string.Join(", ", known)}"));
            }

            return null;
        }

        if (events.Count is 0 || events.Count > known.Length)
        {
            errors.Add(new FieldError("events", $"must hold 1 to {known.Length} of {string.Join(", ", known)}"));
            return null;
        }

        var unknown = events.Select((e, i) => (e, i)).Where(x => x.e is null || !known.Contains(x.e)).ToList();
        foreach (var (_, i) in unknown)
        {
            errors.Add(new FieldError($"events[{i}]", $"must be one of {string.Join(", ", known)}"));
        }

        return unknown.Count > 0 ? null : [.. known.Where(events.Contains)];
    }

    private static string? CheckDescription(string? description, List<FieldError> errors)
    {
        if (description is null)
        {
            return null;
        }

        var trimmed = description.Trim();
        if (trimmed.Length > MaxDescriptionLength || trimmed.Any(char.IsControl))
        {
            errors.Add(new FieldError("description", $"must be at most {MaxDescriptionLength} characters, none of them control characters"));
            return null;
        }

        return trimmed.Length == 0 ? null : trimmed;
    }
}
