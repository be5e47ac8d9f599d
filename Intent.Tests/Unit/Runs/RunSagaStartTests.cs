using Intent.Contracts.Runs;
using Intent.Data.Runs;
using static Intent.Tests.Unit.Runs.RunMessages;

namespace Intent.Tests.Unit.Runs;

/// <summary>A queued run hearing <see cref="MaterializeAudienceRun"/>: the first attempt, a retry, or a reused snapshot.</summary>
public sealed class RunSagaStartTests
{
    [Fact]
    public async Task A_queued_run_starts_its_first_attempt_and_sends_its_snapshot_to_be_built()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Queued);
        var before = DateTime.UtcNow;

        await world.DeliverAsync(Materialize(id));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(1, run.Attempts);
        Assert.InRange(run.StartedAt!.Value, before, DateTime.UtcNow);
        Assert.Null(run.HeartbeatAt);
        Assert.Null(run.CompletedAt);
        var (destination, message) = Assert.Single(world.Sent<MaterializeAudienceSnapshot>());
        Assert.Equal("materialize-audience-snapshot", destination!.AbsolutePath.Trim('/'));
        Assert.Equal(new MaterializeAudienceSnapshot { RunId = id, Attempt = 1 }, message);
        Assert.Empty(world.Published<AudienceRunCompleted>());
        Assert.Empty(world.Published<AudienceRunFailed>());
    }

    [Fact]
    public async Task A_queued_run_whose_key_has_no_snapshot_yet_looks_for_one_then_sends_its_snapshot_to_be_built()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var key = new string('a', 64);
        var id = await world.SeedAsync(RunStatus.Queued, r => r.ResultKey = key);

        await world.DeliverAsync(Materialize(id));

        Assert.Equal(RunStatus.Running, (await world.RunAsync(id)).Status);
        Assert.Equal(new MaterializeAudienceSnapshot { RunId = id, Attempt = 1 }, Assert.Single(world.Sent<MaterializeAudienceSnapshot>()).Message);
        var lookup = Assert.Single(world.Database.Commands, c => c.Sql.Contains("FROM audience_snapshots", StringComparison.Ordinal));
        Assert.Contains(key, lookup.Parameters.Values);
    }

    [Fact]
    public async Task A_queued_run_whose_key_already_has_a_snapshot_completes_at_once_with_its_counts_and_builds_nothing()
    {
        await using var world = await RunSagaWorld.StartAsync();
        world.Database.Snapshot = (CandidateCount: 900, ResultCount: 321);
        var key = new string('b', 64);
        var id = await world.SeedAsync(RunStatus.Queued, r => r.ResultKey = key);
        var before = DateTime.UtcNow;

        await world.DeliverAsync(Materialize(id));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(1, run.Attempts);
        Assert.Equal(900, run.CandidateCount);
        Assert.Equal(321, run.ResultCount);
        Assert.Equal(key, run.ResultKey);
        Assert.InRange(run.CompletedAt!.Value, before, DateTime.UtcNow);
        Assert.Empty(world.Sent<MaterializeAudienceSnapshot>());
        Assert.Equal(new AudienceRunCompleted { RunId = id, ResultCount = 321, ResultKey = key }, Assert.Single(world.Published<AudienceRunCompleted>()));
        var refresh = Assert.Single(world.AudienceWrites());
        Assert.Contains(run.AudienceId, refresh.Parameters.Values);
        Assert.Contains(321L, refresh.Parameters.Values);
        Assert.Contains(run.CompletedAt, refresh.Parameters.Values);
    }

    [Fact]
    public async Task A_run_queued_for_a_retry_starts_its_next_attempt_and_no_longer_waits_for_its_timer()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Queued, r =>
        {
            r.Attempts = 2;
            r.NextAttemptAt = DateTime.UtcNow.AddMinutes(2);
            r.ErrorCode = "MATERIALIZATION_TIMEOUT";
            r.ErrorMessage = "Waited too long for a lock";
        });

        await world.DeliverAsync(Materialize(id));

        var run = await world.RunAsync(id);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(3, run.Attempts);
        Assert.Null(run.NextAttemptAt);
        Assert.Equal(new MaterializeAudienceSnapshot { RunId = id, Attempt = 3 }, Assert.Single(world.Sent<MaterializeAudienceSnapshot>()).Message);
    }

    [Fact]
    public async Task A_second_request_for_a_running_run_changes_nothing_and_builds_nothing_more()
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Queued);
        await world.DeliverAsync(Materialize(id));
        var before = await world.EffectsAsync(id);

        await world.DeliverAsync(Materialize(id));

        Assert.Equal(before, await world.EffectsAsync(id));
        Assert.Single(world.Sent<MaterializeAudienceSnapshot>());
    }
}
