using Intent.Contracts.Runs;
using Intent.Data.Runs;
using Intent.Pipeline.Runs;
using Intent.Pipeline.Scheduling;
using static Intent.Tests.Unit.Runs.RunMessages;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// A running run hearing how its attempt ended: built, failed (retryable or not) or faulted; a transient
/// end goes back to the queue with a timer until the attempts run out (<see cref="RunSagaWorld.MaxAttempts"/>).
/// </summary>
public sealed class RunSagaOutcomeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task A_built_snapshot_of_the_current_attempt_completes_the_run_with_its_counts(int attemptInMessage)
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = 1; r.HeartbeatAt = DateTime.UtcNow; });
        var before = DateTime.UtcNow;

        await world.DeliverAsync(Materialized(id, attemptInMessage, candidates: 500, results: 77));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(500, run.CandidateCount);
        Assert.Equal(77, run.ResultCount);
        Assert.Equal(new string('k', 64), run.ResultKey);
        Assert.InRange(run.CompletedAt!.Value, before, DateTime.UtcNow);
        Assert.Null(run.HeartbeatAt);
        Assert.Equal(new AudienceRunCompleted { RunId = id, ResultCount = 77, ResultKey = new string('k', 64) }, Assert.Single(world.Published<AudienceRunCompleted>()));
        Assert.Empty(world.Published<AudienceRunFailed>());
        var refresh = Assert.Single(world.AudienceWrites());
        Assert.Contains(run.AudienceId, refresh.Parameters.Values);
        Assert.Contains(77L, refresh.Parameters.Values);
    }

    [Fact]
    public async Task A_run_that_completes_after_a_failed_attempt_no_longer_shows_that_attempts_error()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = 2; r.ErrorCode = "MATERIALIZATION_TIMEOUT"; r.ErrorMessage = "Waited too long"; });

        await world.DeliverAsync(Materialized(id, 2));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Null(run.ErrorCode);
        Assert.Null(run.ErrorMessage);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 120)]
    public async Task A_retryable_failure_before_the_last_attempt_queues_the_run_again_with_a_timer_after_the_backoff(int attempt, int waitSeconds)
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = attempt; r.HeartbeatAt = DateTime.UtcNow; });
        var before = DateTime.UtcNow;

        await world.DeliverAsync(Failed(id, attempt, retryable: true, "MATERIALIZATION_CONFLICT", "could not serialize access"));

        var after = DateTime.UtcNow;
        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Queued, run.Status);
        Assert.Equal(attempt, run.Attempts);
        Assert.Equal("MATERIALIZATION_CONFLICT", run.ErrorCode);
        Assert.Equal("could not serialize access", run.ErrorMessage);
        Assert.Null(run.HeartbeatAt);
        Assert.Null(run.CompletedAt);
        Assert.InRange(run.NextAttemptAt!.Value, before.AddSeconds(waitSeconds), after.AddSeconds(waitSeconds));
        await AssertOneTimerAtAsync(world, run.NextAttemptAt.Value);
        Assert.Empty(world.Published<AudienceRunFailed>());
        Assert.Empty(world.Published<AudienceRunCompleted>());
        Assert.Empty(world.Sent<MaterializeAudienceSnapshot>());
    }

    [Fact]
    public async Task Retry_waits_move_by_at_most_the_jitter_either_way()
    {
        await using var world = await RunSagaWorld.StartAsync(retryJitter: 0.2);
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            var id = await world.SeedAsync(RunStatus.Running, r => r.Attempts = 1);
            var before = DateTime.UtcNow;
            await world.DeliverAsync(Failed(id, 1, retryable: true));
            var after = DateTime.UtcNow;
            var next = (await world.RunAsync(id)).NextAttemptAt!.Value;
            Assert.InRange(next, before.AddSeconds(24), after.AddSeconds(36));
            waits.Add(next - before);
        }

        // Ten draws spread over 12 seconds all within one second of each other: about one chance in 10^8.
        Assert.True(waits.Max() - waits.Min() > TimeSpan.FromSeconds(1), $"waits without jitter: {string.Join(", ", waits)}");
    }

    [Fact]
    public async Task A_retryable_failure_of_the_last_attempt_fails_the_run_for_good_with_that_error()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => r.Attempts = RunSagaWorld.MaxAttempts);

        await world.DeliverAsync(Failed(id, RunSagaWorld.MaxAttempts, retryable: true, "DATABASE_UNAVAILABLE", "too many connections"));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(RunSagaWorld.MaxAttempts, run.Attempts);
        Assert.Equal("DATABASE_UNAVAILABLE", run.ErrorCode);
        Assert.Null(run.NextAttemptAt);
        Assert.Equal(new AudienceRunFailed { RunId = id, ErrorCode = "DATABASE_UNAVAILABLE", ErrorMessage = "too many connections" },
            Assert.Single(world.Published<AudienceRunFailed>()));
        Assert.Empty(await world.TimersAsync());
        Assert.Empty(world.AudienceWrites());
    }

    [Fact]
    public async Task A_permanent_failure_fails_the_run_on_its_first_attempt()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => r.Attempts = 1);

        await world.DeliverAsync(Failed(id, 1, retryable: false, "NO_INTENT_DATA", "No complete intent data for 2026-01-01."));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(1, run.Attempts);
        Assert.Equal("NO_INTENT_DATA", run.ErrorCode);
        Assert.Equal("No complete intent data for 2026-01-01.", run.ErrorMessage);
        Assert.Equal(new AudienceRunFailed { RunId = id, ErrorCode = "NO_INTENT_DATA", ErrorMessage = "No complete intent data for 2026-01-01." },
            Assert.Single(world.Published<AudienceRunFailed>()));
        Assert.Empty(await world.TimersAsync());
    }

    [Fact]
    public async Task An_error_message_is_kept_to_its_first_2000_characters()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => r.Attempts = 1);
        var message = string.Concat(Enumerable.Repeat("0123456789", 250));

        await world.DeliverAsync(Failed(id, 1, retryable: false, "MATERIALIZATION_FAILED", message));

        Assert.Equal(message[..2000], (await world.RunAsync(id)).ErrorMessage);
        Assert.Equal(message[..2000], Assert.Single(world.Published<AudienceRunFailed>()).ErrorMessage);
    }

    [Fact]
    public async Task A_faulted_materialization_before_the_last_attempt_is_transient_and_queues_the_run_again()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = 1; r.HeartbeatAt = DateTime.UtcNow; });
        var before = DateTime.UtcNow;

        await world.DeliverAsync(Faulted(id, 1, new TimeoutException("The connection was lost.")));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Queued, run.Status);
        Assert.Equal("MATERIALIZATION_FAILED", run.ErrorCode);
        // What faulted stays in the logs: the run shows a safe sentence.
        Assert.Equal(MaterializationFailures.Unexpected, run.ErrorMessage);
        Assert.Null(run.HeartbeatAt);
        Assert.InRange(run.NextAttemptAt!.Value, before + RunSagaWorld.RetryBaseDelay, DateTime.UtcNow + RunSagaWorld.RetryBaseDelay);
        await AssertOneTimerAtAsync(world, run.NextAttemptAt.Value);
        Assert.Empty(world.Published<AudienceRunFailed>());
    }

    [Fact]
    public async Task A_faulted_materialization_of_the_last_attempt_fails_the_run_for_good()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => r.Attempts = RunSagaWorld.MaxAttempts);

        await world.DeliverAsync(Faulted(id, 0, new InvalidOperationException("broker gone")));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(new AudienceRunFailed { RunId = id, ErrorCode = "MATERIALIZATION_FAILED", ErrorMessage = MaterializationFailures.Unexpected },
            Assert.Single(world.Published<AudienceRunFailed>()));
        Assert.Empty(await world.TimersAsync());
    }

    private static async Task AssertOneTimerAtAsync(RunSagaWorld world, DateTime at)
    {
        var (job, firesAt) = Assert.Single(await world.TimersAsync());
        Assert.Equal(RetryRunJob.Group, job.Group);
        Assert.Equal(at, firesAt.UtcDateTime);
    }
}
