using System.Text.Json;
using Intent.Contracts.Webhooks;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Data.Webhooks;
using Intent.Pipeline.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// Writes webhook events as <see cref="FanOutWebhookEvent"/> messages through the outbox of the
/// transaction that makes the change they report, so an event and its change commit together or not
/// at all. Organizations without an enabled webhook subscribed to the type get none (one indexed
/// look-up). The body is built here, once: <c>{type, timestamp, data}</c> with <c>data</c> the run (or
/// export) exactly as the API shows it.
/// </summary>
public static class WebhookEvents
{
    /// <summary>The API's JSON (ASP.NET Core's web defaults: camelCase names).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Payload(string type, DateTime timestamp, object data) =>
        JsonSerializer.Serialize(new { type, timestamp = RunResponse.Stored(timestamp), data }, Json);

    /// <summary>Whether the organization has an enabled webhook subscribed to <paramref name="type"/>.</summary>
    public static Task<bool> SubscribedAsync(IntentDbContext db, Guid organizationId, string type, CancellationToken cancellationToken) =>
        db.Webhooks.AnyAsync(w => w.OrganizationId == organizationId && w.Enabled && w.Events.Contains(type), cancellationToken);

    public static FanOutWebhookEvent For(AudienceRun run, string type, DateTime now) => new()
    {
        EventId = Guid.CreateVersion7(),
        OrganizationId = run.OrganizationId,
        RunId = run.CorrelationId,
        Type = type,
        OccurredAt = now,
        Payload = Payload(type, now, RunResponse.From(run)),
    };

    /// <summary>Publishes the run's event in the caller's transaction when anyone listens for it.</summary>
    public static async Task RaiseAsync(
        IntentDbContext db, IPublishEndpoint publisher, AudienceRun run, string type, DateTime now, CancellationToken cancellationToken)
    {
        if (await SubscribedAsync(db, run.OrganizationId, type, cancellationToken))
        {
            await publisher.Publish(For(run, type, now), cancellationToken);
        }
    }

    /// <summary><c>run.queued</c> of runs queued together (daily runs): one look-up for the whole batch.</summary>
    public static async Task RaiseQueuedAsync(
        IntentDbContext db, IPublishEndpoint publisher, IReadOnlyCollection<Guid> runIds, DateTime now, CancellationToken cancellationToken)
    {
        if (runIds.Count == 0)
        {
            return;
        }

        var runs = await db.AudienceRuns.AsNoTracking()
            .Where(r => runIds.Contains(r.CorrelationId)
                && db.Webhooks.Any(w => w.OrganizationId == r.OrganizationId && w.Enabled && w.Events.Contains(WebhookEventTypes.RunQueued)))
            .OrderBy(r => r.CorrelationId)
            .ToListAsync(cancellationToken);
        foreach (var run in runs)
        {
            await publisher.Publish(For(run, WebhookEventTypes.RunQueued, now), cancellationToken);
        }
    }
}
