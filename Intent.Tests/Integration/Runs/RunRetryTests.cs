using System.Net;
using Intent.Contracts.Runs;
using Intent.Data.Runs;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Messaging.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// Retries with durable Quartz timers and recovery of lost attempts, on the real PostgreSQL,
/// RabbitMQ and clustered Quartz. The transient fault is real: a session holding an exclusive lock
/// on the day's scores makes the worker's materialization hit its lock timeout.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RunRetryTests
{
    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 30, minTopicOverlap = 1 };

    private const string ResultsSql = """
        SELECT count(DISTINCT person_id) FROM intent_scores
        WHERE data_date = '2001-01-02' AND topic_id IN (1, 2, 3) AND score BETWEEN 30 AND 100
        """;

    public sealed record RunState(string Status, int Attempts, DateTime? NextAttemptAt, DateTime UpdatedAt, DateTime? HeartbeatAt, string? ErrorCode,
        long ResultCount);

    [Fact]
    public async Task A_transient_fault_puts_the_run_back_in_the_queue_with_growing_backoff_and_it_then_completes()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: Settings(baseDelay: "00:00:01", factor: "3"));
        var audience = await world.AudienceAsync(Config);
        await using var scores = await ScoresLock.TakeAsync(world.Database);

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var first = await WaitAsync(world, runId, r => r is { Status: "queued", Attempts: 1, NextAttemptAt: not null }, "the first attempt to fail");
        var second = await WaitAsync(world, runId, r => r is { Status: "queued", Attempts: 2, NextAttemptAt: not null }, "the second attempt to fail");

        Assert.Equal("MATERIALIZATION_TIMEOUT", first.ErrorCode);
        Assert.Equal(1.0, (first.NextAttemptAt!.Value - first.UpdatedAt).TotalSeconds, 0.2);
        Assert.Equal(3.0, (second.NextAttemptAt!.Value - second.UpdatedAt).TotalSeconds, 0.2);
        var shown = await world.RunAsync(audience, runId);
        Assert.Equal("queued", shown.GetProperty("status").GetString());
        Assert.Equal(2, shown.GetProperty("attempts").GetInt32());
        Assert.Equal(second.NextAttemptAt.Value, shown.GetProperty("nextAttemptAt").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));

        await scores.ReleaseAsync();
        var done = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(3, done.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonNull, done.GetProperty("errorCode").ValueKind);
        Assert.Equal(JsonNull, done.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(await world.Database.ScalarAsync<long>(ResultsSql), done.GetProperty("resultCount").GetInt64());
    }

    [Fact]
    public async Task A_permanent_fault_fails_the_run_on_its_first_attempt()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: Settings());
        var audience = await world.AudienceAsync(Config);
        var runId = Guid.NewGuid();
        await using (var db = world.Database.CreateDbContext())
        {
            // A queued run whose stored config cannot be read: no attempt can ever succeed.
            db.AudienceRuns.Add(new AudienceRun
            {
                CorrelationId = runId, AudienceId = audience, OrganizationId = world.OrganizationId, Status = RunStatus.Queued,
                RunType = RunType.Manual, Config = """{"topicIds": "broken"}""", ConfigHash = new string('c', 64),
                DataDate = new DateOnly(2001, 1, 2), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await world.Worker!.Services.GetRequiredService<IBus>()
            .Publish(new MaterializeAudienceRun { RunId = runId, AudienceId = audience, OrganizationId = world.OrganizationId });

        var run = await world.WaitForStatusAsync(audience, runId, "failed", "completed");
        Assert.Equal("INVALID_CONFIG", run.GetProperty("errorCode").GetString());
        Assert.Contains("topicIds", run.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, run.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonNull, run.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(0L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'run-retries'"));
    }

    [Fact]
    public async Task After_the_last_attempt_the_run_fails_with_the_last_error()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: Settings(maxAttempts: "2"));
        var audience = await world.AudienceAsync(Config);
        await using var scores = await ScoresLock.TakeAsync(world.Database);

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await world.WaitForStatusAsync(audience, runId, "failed", "completed");

        Assert.Equal(2, run.GetProperty("attempts").GetInt32());
        Assert.Equal("MATERIALIZATION_TIMEOUT", run.GetProperty("errorCode").GetString());
        Assert.Contains("lock", run.GetProperty("errorMessage").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(JsonNull, run.GetProperty("nextAttemptAt").ValueKind);
        var (results, _) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/results");
        Assert.Equal(HttpStatusCode.Conflict, results.StatusCode);
    }

    [Fact]
    public async Task A_retry_pending_when_the_worker_restarts_still_fires()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: Settings(baseDelay: "00:00:06"));
        var audience = await world.AudienceAsync(Config);
        await using var scores = await ScoresLock.TakeAsync(world.Database);

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var waiting = await WaitAsync(world, runId, r => r is { Status: "queued", Attempts: 1, NextAttemptAt: not null }, "the first attempt to fail");
        Assert.Equal(1L, await world.Database.ScalarAsync<long>($"SELECT count(*) FROM qrtz_triggers WHERE trigger_name = 'retry-{runId}'"));

        // The only worker leaves with the timer pending; a new one (a new scheduler instance) takes over.
        await world.StopWorkerAsync(world.Worker!);
        await scores.ReleaseAsync();
        await world.StartWorkerAsync();

        var done = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.True(done.GetProperty("startedAt").GetDateTime().ToUniversalTime() >= waiting.NextAttemptAt!.Value.AddMilliseconds(-50),
            "the second attempt should start when its timer fires, not before");
    }

    [Fact]
    public async Task A_run_cancelled_while_it_waits_for_a_retry_stays_cancelled()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: Settings(baseDelay: "00:00:03"));
        var audience = await world.AudienceAsync(Config);
        await using var scores = await ScoresLock.TakeAsync(world.Database);

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        await WaitAsync(world, runId, r => r is { Status: "queued", Attempts: 1, NextAttemptAt: not null }, "the first attempt to fail");
        var (cancel, cancelled) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.Data().GetProperty("status").GetString());
        await scores.ReleaseAsync();

        // The timer fires (and is gone) but finds nothing to do.
        await Eventually.MatchAsync(() => world.Database.ScalarAsync<long>($"SELECT count(*) FROM qrtz_triggers WHERE trigger_name = 'retry-{runId}'"),
            count => count == 0, TimeSpan.FromSeconds(30), "the retry timer to fire");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var run = await StateAsync(world, runId);
        Assert.Equal("cancelled", run.Status);
        Assert.Equal(1, run.Attempts);
        Assert.Null(run.NextAttemptAt);
        Assert.Equal(0L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_snapshots"));
    }

    [Fact]
    public async Task A_running_run_whose_worker_stopped_renewing_its_lease_is_taken_back_and_completes()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false, workerSettings: Settings(lease: "00:00:05"));
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();

        // As a worker that died long ago leaves it: running, first attempt, last heartbeat an hour old, no message anywhere for it.
        await world.Database.ExecuteAsync(
            $"UPDATE audience_runs SET status = 'running', attempts = 1, started_at = now() - interval '1 hour', heartbeat_at = now() - interval '1 hour' WHERE id = '{runId}'");
        await world.StartWorkerAsync();

        var done = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(await world.Database.ScalarAsync<long>(ResultsSql), done.GetProperty("resultCount").GetInt64());
    }

    [Fact]
    public async Task An_attempt_waiting_in_the_queue_holds_no_lease_and_is_left_alone()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false, workerSettings: Settings(lease: "00:00:02"));
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();

        // Running for an hour but never picked up by a worker (its message still waits behind others).
        await world.Database.ExecuteAsync(
            $"UPDATE audience_runs SET status = 'running', attempts = 1, started_at = now() - interval '1 hour', heartbeat_at = NULL WHERE id = '{runId}'");
        await world.StartWorkerAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));

        var run = await StateAsync(world, runId);
        Assert.Equal("running", run.Status);
        Assert.Equal(1, run.Attempts);
    }

    [Fact]
    public async Task A_worker_process_killed_mid_materialization_leaves_a_run_that_is_recovered_and_completes()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false, workerSettings: Settings(lease: "00:00:06", lockTimeout: "00:05:00"));
        var audience = await world.AudienceAsync(Config);
        await using var scores = await ScoresLock.TakeAsync(world.Database);

        var runId = Guid.Empty;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var worker = world.StartWorkerProcess(output))
        {
            try
            {
                runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
                var started = await WaitAsync(world, runId, r => r is { Status: "running", HeartbeatAt: not null }, "the worker to start materializing");

                // Blocked on the day's scores, the worker keeps renewing its lease.
                await WaitAsync(world, runId, r => r.HeartbeatAt > started.HeartbeatAt, "a heartbeat while materializing", TimeSpan.FromSeconds(15));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InvalidOperationException($"{e.Message}\nworker output:\n{string.Join('\n', output.TakeLast(40))}", e);
            }
            finally
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }
        }

        await scores.ReleaseAsync();
        await world.StartWorkerAsync();

        var done = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(await world.Database.ScalarAsync<long>(ResultsSql), done.GetProperty("resultCount").GetInt64());
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_snapshots"));
    }

    [Fact]
    public async Task A_lost_database_connection_retries_through_the_error_queue_and_the_saga()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: Settings(maxAttempts: "2", lockTimeout: "00:05:00"));
        var audience = await world.AudienceAsync(Config);
        await using var scores = await ScoresLock.TakeAsync(world.Database);
        var errorsBefore = await RabbitMqControl.MessagesAsync("materialize-audience-snapshot_error");

        // Every time the worker's materialization waits for the day's scores, its session is terminated.
        using var stop = new CancellationTokenSource();
        var database = world.Database.Name;
        var terminator = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await world.Database.ScalarAsync<long>(
                    $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
                await Task.Delay(50);
            }
        });

        try
        {
            var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
            var run = await world.WaitForStatusAsync(audience, runId, "failed", "completed");
            Assert.Equal("MATERIALIZATION_FAILED", run.GetProperty("errorCode").GetString());
            // What happened (SQL state, the server's words) is in the worker's log, not on the run.
            Assert.Equal("The materialization failed unexpectedly.", run.GetProperty("errorMessage").GetString());
            Assert.Equal(2, run.GetProperty("attempts").GetInt32());
        }
        finally
        {
            await stop.CancelAsync();
            await terminator;
        }

        await Eventually.MatchAsync(() => RabbitMqControl.MessagesAsync("materialize-audience-snapshot_error"), count => count >= errorsBefore + 2,
            TimeSpan.FromSeconds(30), "each attempt's message to reach the error queue");
    }

    private const System.Text.Json.JsonValueKind JsonNull = System.Text.Json.JsonValueKind.Null;

    private static Dictionary<string, string?> Settings(
        string baseDelay = "00:00:00.500", string factor = "2", string maxAttempts = "5", string lease = "00:10:00", string lockTimeout = "00:00:00.300") => new()
    {
        ["Runs:RetryBaseDelay"] = baseDelay,
        ["Runs:RetryBackoffFactor"] = factor,
        ["Runs:RetryJitter"] = "0",
        ["Runs:MaxAttempts"] = maxAttempts,
        ["Runs:Lease"] = lease,
        ["Runs:HeartbeatInterval"] = "00:00:01",
        ["Runs:RecoveryInterval"] = "00:00:01",
        ["Runs:LockTimeout"] = lockTimeout,
    };

    private static async Task<RunState> StateAsync(RunsWorld world, Guid runId)
    {
        await using var db = world.Database.CreateDbContext();
        return await db.AudienceRuns.AsNoTracking().Where(r => r.CorrelationId == runId)
            .Select(r => new RunState(RunStatus.ToPublic(r.Status), r.Attempts, r.NextAttemptAt, r.UpdatedAt, r.HeartbeatAt, r.ErrorCode, r.ResultCount))
            .SingleAsync();
    }

    private static Task<RunState> WaitAsync(RunsWorld world, Guid runId, Func<RunState, bool> condition, string because, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(() => StateAsync(world, runId), condition, timeout ?? TimeSpan.FromSeconds(30), because);
}
