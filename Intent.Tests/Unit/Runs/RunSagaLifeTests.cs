using Intent.Contracts.Runs;
using Intent.Data.Runs;
using static Intent.Tests.Unit.Runs.RunMessages;

namespace Intent.Tests.Unit.Runs;

/// <summary>Whole lives of a run through the saga, each message answering the one before, as the worker and its timers would.</summary>
public sealed class RunSagaLifeTests
{
    [Fact]
    public async Task A_run_that_keeps_failing_for_a_transient_reason_is_tried_max_attempts_times_with_growing_waits_then_fails_with_the_last_error()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Queued);
        var waits = new List<TimeSpan>();

        for (var attempt = 1; attempt <= RunSagaWorld.MaxAttempts; attempt++)
        {
            await world.DeliverAsync(Materialize(id));
            Assert.Equal(attempt, world.Sent<MaterializeAudienceSnapshot>()[^1].Message.Attempt);
            Assert.Equal(RunStatus.Running, (await world.RunAsync(id)).Status);

            var before = DateTime.UtcNow;
            await world.DeliverAsync(Failed(id, attempt, retryable: true, "MATERIALIZATION_TIMEOUT", $"attempt {attempt} timed out"));
            var run = await world.RunAsync(id);
            if (attempt < RunSagaWorld.MaxAttempts)
            {
                Assert.Equal(RunStatus.Queued, run.Status);
                waits.Add(run.NextAttemptAt!.Value - before);
                Assert.Equal(run.NextAttemptAt.Value, Assert.Single(await world.TimersAsync()).FiresAt.UtcDateTime);
            }
            else
            {
                Assert.Equal(RunStatus.Failed, run.Status);
                Assert.Equal($"attempt {attempt} timed out", run.ErrorMessage);
            }
        }

        Assert.Equal(Enumerable.Range(1, RunSagaWorld.MaxAttempts), world.Sent<MaterializeAudienceSnapshot>().Select(s => s.Message.Attempt));
        Assert.Equal(RunSagaWorld.MaxAttempts - 1, waits.Count);
        Assert.True(waits[1] > waits[0] * (RunSagaWorld.RetryBackoffFactor - 0.1), $"waits {waits[0]} then {waits[1]}");
        var failed = Assert.Single(world.Published<AudienceRunFailed>());
        Assert.Equal($"attempt {RunSagaWorld.MaxAttempts} timed out", failed.ErrorMessage);
        Assert.Empty(world.Published<AudienceRunCompleted>());
    }

    [Fact]
    public async Task A_late_report_of_a_failed_attempt_does_not_disturb_the_retry_that_then_completes()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Queued);
        await world.DeliverAsync(Materialize(id));
        await world.DeliverAsync(Faulted(id, 1));
        await world.DeliverAsync(Materialize(id));

        await world.DeliverAsync(Failed(id, 1, retryable: false, "MATERIALIZATION_FAILED", "a late report of attempt 1"));
        await world.DeliverAsync(Materialized(id, 1));
        Assert.Equal(RunStatus.Running, (await world.RunAsync(id)).Status);
        await world.DeliverAsync(Materialized(id, 2, results: 9));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(2, run.Attempts);
        Assert.Equal(9, run.ResultCount);
        Assert.Null(run.ErrorCode);
        Assert.Single(world.Published<AudienceRunCompleted>());
        Assert.Empty(world.Published<AudienceRunFailed>());
        Assert.Single(world.AudienceWrites());
    }
}
