using Intent.Api.Auth;
using Intent.Api.Errors;
using Intent.Api.RateLimiting;
using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Data.Webhooks;
using Intent.Messaging.Outbox;
using Intent.Messaging.Relay;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Runs;
using Intent.Pipeline.Webhooks;
using Intent.ServiceDefaults.Envelope;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intent.Api.Runs;

/// <summary>Runs of one audience: queue (idempotent, one in flight), read, cancel, results.</summary>
public static class RunsEndpoints
{
    public const int MaxIdempotencyKeyLength = 120;
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;
    private const string InFlightIndex = "ux_audience_runs_in_flight";
    private const string IdempotencyIndex = "ux_audience_runs_idempotency_key";

    // Runs on every queue request: compiled once, not translated per call.
    private static readonly Func<IntentDbContext, Guid, Guid, string?, CancellationToken, Task<QueueState?>> LookUp =
        EF.CompileAsyncQuery((IntentDbContext db, Guid id, Guid organizationId, string? key, CancellationToken _) =>
            db.Audiences.AsNoTracking()
                .Where(a => a.Id == id && a.OrganizationId == organizationId)
                .Select(a => new QueueState(
                    a.Config,
                    a.ConfigHash,
                    key == null ? null : db.AudienceRuns.FirstOrDefault(r => r.OrganizationId == organizationId && r.IdempotencyKey == key),
                    db.AudienceRuns.FirstOrDefault(r => r.AudienceId == id && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running)),
                    db.DataDates.Where(d => d.Complete).Max(d => (DateOnly?)d.Date),
                    db.Webhooks.Any(w => w.OrganizationId == organizationId && w.Enabled && w.Events.Contains(WebhookEventTypes.RunQueued))))
                .SingleOrDefault());

    private sealed record QueueState(string Config, string ConfigHash, AudienceRun? Keyed, AudienceRun? InFlight, DateOnly? DataDate, bool Subscribed);

    public static IEndpointRouteBuilder MapRunsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var runs = endpoints.MapGroup("/v1/intent/audiences/{id:guid}/runs").WithTags("Runs").RequireAuthorization();
        runs.MapPost("/", QueueRun).WithName("QueueRun").RequireRateLimiting(RateLimitPolicies.Expensive)
            .WithSummary("Queue an intent audience materialization run")
            .WithDescription("Run queued or existing in-flight run returned. Public creation supports manual runs only; daily runs are queued by the worker scheduler.")
            .Produces<ErrorEnvelope>(StatusCodes.Status422UnprocessableEntity);
        runs.MapGet("/", ListRuns).WithName("ListRuns").WithSummary("List an audience's runs, newest first");
        runs.MapGet("/{runId:guid}", GetRun).WithName("GetRun").WithSummary("Get one run");
        runs.MapDelete("/{runId:guid}", CancelRun).WithName("CancelRun").WithSummary("Cancel a queued run")
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);
        RunResultsEndpoint.Map(runs);
        RunStatsEndpoint.Map(runs);
        RunCsvEndpoint.Map(runs);
        return endpoints;
    }

    public static async Task<Ok<DataEnvelope<RunResponse>>> QueueRun(
        HttpContext http, Guid id, QueueRunRequest? request, IntentDbContext db, IPublishEndpoint publisher, OutboxWakeUp wakeUp,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var runType = request?.RunType ?? "manual";
        Validation.Check(runType == "manual", "runType",
            "must be manual: public run creation supports manual runs only; daily runs are queued by the worker scheduler");
        var key = IdempotencyKey(http);
        var organizationId = http.User.OrganizationId();

        // Usually one round trip decides and writes; any other case looks first, as below.
        if (await QueueAtOnceAsync(db, publisher, id, organizationId, key, clock, cancellationToken) is { } queued)
        {
            wakeUp.Committed(db);
            return TypedResults.Ok(http.Envelope(RunResponse.From(queued)));
        }

        // A concurrent request may win the in-flight or idempotency index between our look and our insert:
        // then look again and answer with its run.
        for (var attempt = 0; ; attempt++)
        {
            // One round trip: the audience, its in-flight run, the run of this key, and the latest complete data date.
            var state = await LookUp(db, id, organizationId, key, cancellationToken)
                ?? throw new ApiException(StatusCodes.Status404NotFound, "NOT_FOUND", "No audience with this id.");

            if (state.Keyed is { } keyed)
            {
                return keyed.AudienceId == id
                    ? TypedResults.Ok(http.Envelope(RunResponse.From(keyed)))
                    : throw new ApiException(StatusCodes.Status422UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED",
                        "This Idempotency-Key was already used for another audience's run.");
            }

            if (state.InFlight is { } inFlight)
            {
                return TypedResults.Ok(http.Envelope(RunResponse.From(inFlight)));
            }

            var dataDate = state.DataDate;
            var now = clock.GetUtcNow().UtcDateTime;
            var run = NewRun(id, organizationId, key, now);
            run.Config = state.Config;
            run.ConfigHash = state.ConfigHash;
            run.DataDate = dataDate;
            run.ResultKey = dataDate is { } date ? ResultKeys.For(organizationId, state.ConfigHash, date) : null;
            await publisher.Publish(new MaterializeAudienceRun { RunId = run.CorrelationId, AudienceId = id, OrganizationId = organizationId }, cancellationToken);
            var messages = 1;
            if (state.Subscribed)
            {
                await publisher.Publish(WebhookEvents.For(run, WebhookEventTypes.RunQueued, now), cancellationToken);
                messages++;
            }

            // The run, the outbox state and the outbox messages (with run.queued when a webhook listens) go as one
            // batch, which PostgreSQL runs as one implicit transaction: all or none, in one round trip (no BEGIN/COMMIT),
            // and without SaveChanges' change tracking and SQL generation on the API's busiest path.
            await using var batch = new NpgsqlBatch();
            batch.BatchCommands.Add(QueuedRunInsert.For(run));
            if (db.AddPendingOutbox(batch) != messages)
            {
                throw new InvalidOperationException("Queueing a run must publish its message, and run.queued when a webhook listens, through the bus outbox.");
            }

            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                batch.Connection = (NpgsqlConnection)db.Database.GetDbConnection();
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException exception) when (attempt < 3 && exception is
            {
                SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: InFlightIndex or IdempotencyIndex,
            })
            {
                db.ChangeTracker.Clear();
                continue;
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }

            wakeUp.Committed(db);
            return TypedResults.Ok(http.Envelope(RunResponse.From(run)));
        }
    }

    /// <summary>
    /// The run, read from its audience inside the INSERT, and its message in one implicit transaction; null, with nothing
    /// written, when the case needs the look first (<see cref="QueuedRunInsert.AtOnce"/>).
    /// </summary>
    private static async Task<AudienceRun?> QueueAtOnceAsync(
        IntentDbContext db, IPublishEndpoint publisher, Guid id, Guid organizationId, string? key, TimeProvider clock, CancellationToken cancellationToken)
    {
        var run = NewRun(id, organizationId, key, clock.GetUtcNow().UtcDateTime);
        await publisher.Publish(new MaterializeAudienceRun { RunId = run.CorrelationId, AudienceId = id, OrganizationId = organizationId }, cancellationToken);

        await using var batch = new NpgsqlBatch();
        batch.BatchCommands.Add(QueuedRunInsert.AtOnce(run));
        if (db.AddPendingOutbox(batch, QueuedRunInsert.Inserted, new NpgsqlParameter<Guid> { TypedValue = run.CorrelationId }) != 1)
        {
            throw new InvalidOperationException("Queueing a run must publish its message through the bus outbox.");
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            batch.Connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var inserted = await reader.ReadAsync(cancellationToken);
            if (inserted)
            {
                run.Config = reader.GetString(0);
                run.ConfigHash = reader.GetString(1);
                run.DataDate = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2);
                run.ResultKey = reader.IsDBNull(3) ? null : reader.GetString(3);
            }

            // The outbox rows' statements follow; reading through them surfaces any failure before the run is answered.
            while (await reader.NextResultAsync(cancellationToken))
            {
            }

            return inserted ? run : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static AudienceRun NewRun(Guid id, Guid organizationId, string? key, DateTime now) => new()
    {
        CorrelationId = Guid.CreateVersion7(),
        AudienceId = id,
        OrganizationId = organizationId,
        Status = RunStatus.Queued,
        RunType = RunType.Manual,
        IdempotencyKey = key,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public static async Task<Ok<DataEnvelope<List<RunResponse>>>> ListRuns(
        HttpContext http, Guid id, int? limit, IntentDbContext db, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        Validation.Check(take is >= 1 and <= MaxLimit, "limit", $"must be from 1 to {MaxLimit}");
        await RequireAudienceAsync(http, id, db, cancellationToken);
        var runs = await db.AudienceRuns.AsNoTracking().Where(r => r.AudienceId == id)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.CorrelationId).Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(http.Envelope(runs.Select(RunResponse.From).ToList()));
    }

    public static async Task<Ok<DataEnvelope<RunResponse>>> GetRun(HttpContext http, Guid id, Guid runId, IntentDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(http.Envelope(RunResponse.From(await FindRunAsync(http, id, runId, db, cancellationToken))));

    public static async Task<Ok<DataEnvelope<RunResponse>>> CancelRun(
        HttpContext http, Guid id, Guid runId, IntentDbContext db, IPublishEndpoint publisher, TimeProvider clock, PipelineMetrics metrics,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        bool cancelled;
        AudienceRun run;

        // The cancel and its run.cancelled event commit together.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            cancelled = await RunCancellation.CancelQueuedAsync(db, http.User.OrganizationId(), id, runId, now, cancellationToken);
            run = await FindRunAsync(http, id, runId, db, cancellationToken);
            if (cancelled)
            {
                await WebhookEvents.RaiseAsync(db, publisher, run, WebhookEventTypes.RunCancelled, now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        if (cancelled)
        {
            metrics.Transition(run, RunStatus.Queued, RunStatus.Cancelled);
        }

        return cancelled
            ? TypedResults.Ok(http.Envelope(RunResponse.From(run)))
            : throw new ApiException(StatusCodes.Status409Conflict, "RUN_NOT_CANCELLABLE",
                $"Only queued runs can be cancelled; this run is {RunStatus.ToPublic(run.Status)}.");
    }

    /// <summary>The caller's completed run, or 409 <paramref name="code"/> for a run in any other status.</summary>
    internal static async Task<AudienceRun> FindCompletedRunAsync(
        HttpContext http, Guid id, Guid runId, IntentDbContext db, string code, string what, CancellationToken cancellationToken)
    {
        var run = await FindRunAsync(http, id, runId, db, cancellationToken);
        return run.Status == RunStatus.Completed
            ? run
            : throw new ApiException(StatusCodes.Status409Conflict, code, $"{what} completed runs only; this run is {RunStatus.ToPublic(run.Status)}.");
    }

    internal static async Task<AudienceRun> FindRunAsync(HttpContext http, Guid id, Guid runId, IntentDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.User.OrganizationId();
        return await db.AudienceRuns.AsNoTracking()
            .SingleOrDefaultAsync(r => r.CorrelationId == runId && r.AudienceId == id && r.OrganizationId == organizationId, cancellationToken)
            ?? throw new ApiException(StatusCodes.Status404NotFound, "NOT_FOUND", "No run with this id for this audience.");
    }

    private static async Task RequireAudienceAsync(HttpContext http, Guid id, IntentDbContext db, CancellationToken cancellationToken)
    {
        var organizationId = http.User.OrganizationId();
        if (!await db.Audiences.AnyAsync(a => a.Id == id && a.OrganizationId == organizationId, cancellationToken))
        {
            throw new ApiException(StatusCodes.Status404NotFound, "NOT_FOUND", "No audience with this id.");
        }
    }

    private static string? IdempotencyKey(HttpContext http)
    {
        if (!http.Request.Headers.TryGetValue("Idempotency-Key", out var values))
        {
            return null;
        }

        var key = values.ToString();
        Validation.Check(key.Trim().Length >= 1 && key.Length <= MaxIdempotencyKeyLength && values.Count == 1 && !key.Any(char.IsControl),
            "Idempotency-Key", $"must be 1 to {MaxIdempotencyKeyLength} characters, none of them control characters");
        return key;
    }
}
