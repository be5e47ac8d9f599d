using Intent.Contracts.Runs;
using Intent.Data.Runs;
using static Intent.Tests.Unit.Runs.RunMessages;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// <see cref="RecoverStuckRun"/>: the saga checks the lease again itself and takes back only a current
/// attempt whose worker picked it up and then stopped renewing it for longer than the lease.
/// </summary>
public sealed class RunSagaRecoveryTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_running_attempt_whose_lease_ran_out_is_taken_back_as_a_new_attempt_with_WORKER_LOST()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = 1; r.HeartbeatAt = DateTime.UtcNow - RunSagaWorld.Lease - Minute; });
        var before = DateTime.UtcNow;

        await world.DeliverAsync(Stuck(id, 1));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Queued, run.Status);
        Assert.Equal(1, run.Attempts);
        Assert.Equal("WORKER_LOST", run.ErrorCode);
        Assert.Equal("Attempt 1 renewed no lease for 00:10:00; its worker stopped.", run.ErrorMessage);
        Assert.Null(run.HeartbeatAt);
        Assert.InRange(run.NextAttemptAt!.Value, before + RunSagaWorld.RetryBaseDelay, DateTime.UtcNow + RunSagaWorld.RetryBaseDelay);
        var (_, firesAt) = Assert.Single(await world.TimersAsync());
        Assert.Equal(run.NextAttemptAt.Value, firesAt.UtcDateTime);
        Assert.Empty(world.Published<AudienceRunFailed>());
    }

    [Fact]
    public async Task A_lost_last_attempt_fails_the_run_for_good_with_WORKER_LOST()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r =>
        {
            r.Attempts = RunSagaWorld.MaxAttempts;
            r.HeartbeatAt = DateTime.UtcNow - RunSagaWorld.Lease - Minute;
        });

        await world.DeliverAsync(Stuck(id, RunSagaWorld.MaxAttempts));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Failed, run.Status);
        var failed = Assert.Single(world.Published<AudienceRunFailed>());
        Assert.Equal(id, failed.RunId);
        Assert.Equal("WORKER_LOST", failed.ErrorCode);
        Assert.Empty(await world.TimersAsync());
    }

    [Fact]
    public async Task An_attempt_that_renewed_its_lease_within_the_lease_is_left_running()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = 1; r.HeartbeatAt = DateTime.UtcNow - RunSagaWorld.Lease + Minute; });
        var before = await world.EffectsAsync(id);

        await world.DeliverAsync(Stuck(id, 1));

        Assert.Equal(before, await world.EffectsAsync(id));
        Assert.Equal(RunStatus.Running, (await world.RunAsync(id)).Status);
    }

    [Fact]
    public async Task An_attempt_no_worker_has_picked_up_yet_holds_no_lease_and_is_left_running()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = 1; r.HeartbeatAt = null; r.StartedAt = DateTime.UtcNow.AddHours(-3); });
        var before = await world.EffectsAsync(id);

        await world.DeliverAsync(Stuck(id, 1));

        Assert.Equal(before, await world.EffectsAsync(id));
    }

    [Fact]
    public async Task A_recovery_found_for_an_earlier_attempt_leaves_the_current_attempt_alone_even_with_its_lease_run_out()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r => { r.Attempts = 2; r.HeartbeatAt = DateTime.UtcNow - RunSagaWorld.Lease - Minute; });
        var before = await world.EffectsAsync(id);

        await world.DeliverAsync(Stuck(id, 1));

        Assert.Equal(before, await world.EffectsAsync(id));
    }
}
