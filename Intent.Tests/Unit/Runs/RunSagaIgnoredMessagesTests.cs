using Intent.Contracts.Runs;
using Intent.Data.Runs;
using static Intent.Tests.Unit.Runs.RunMessages;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// Every message the saga must ignore: each is chosen so that it would act if it were not ignored (the
/// run's current attempt, a lease long run out, a snapshot ready for its key), and must change nothing,
/// send nothing, publish nothing, set no timer, write nothing, and not fault.
/// </summary>
public sealed class RunSagaIgnoredMessagesTests
{
    public enum Message
    {
        Materialize,
        Materialized,
        Failed,
        Faulted,
        Stuck,
    }

    public static TheoryData<string, Message> FinishedRuns()
    {
        var data = new TheoryData<string, Message>();
        foreach (var status in new[] { RunStatus.Completed, RunStatus.Failed, RunStatus.Cancelled })
        {
            foreach (var message in Enum.GetValues<Message>())
            {
                data.Add(status, message);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FinishedRuns))]
    public async Task A_completed_failed_or_cancelled_run_ignores_every_later_message(string status, Message message)
    {
        await using var world = await RunSagaWorld.StartAsync();
        world.Database.Snapshot = (10, 5);
        var id = await world.SeedAsync(status, r =>
        {
            r.Attempts = 1;
            r.ResultKey = new string('r', 64);
            r.HeartbeatAt = DateTime.UtcNow - RunSagaWorld.Lease - TimeSpan.FromHours(1);
            r.CompletedAt = status == RunStatus.Completed ? DateTime.UtcNow.AddMinutes(-5) : null;
            r.CancelledAt = status == RunStatus.Cancelled ? DateTime.UtcNow.AddMinutes(-5) : null;
            r.ErrorCode = status == RunStatus.Failed ? "NO_INTENT_DATA" : null;
        });

        await AssertIgnoredAsync(world, id, message, attempt: 1);
    }

    [Theory]
    [InlineData(Message.Materialized)]
    [InlineData(Message.Failed)]
    [InlineData(Message.Faulted)]
    [InlineData(Message.Stuck)]
    public async Task A_queued_run_ignores_what_its_attempts_report_since_none_is_running(Message message)
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Queued, r =>
        {
            r.Attempts = 1;
            r.NextAttemptAt = DateTime.UtcNow.AddMinutes(1);
            r.ErrorCode = "MATERIALIZATION_TIMEOUT";
            r.HeartbeatAt = DateTime.UtcNow - RunSagaWorld.Lease - TimeSpan.FromHours(1);
        });

        await AssertIgnoredAsync(world, id, message, attempt: 1);
    }

    [Theory]
    [InlineData(Message.Materialized, 1)]
    [InlineData(Message.Failed, 1)]
    [InlineData(Message.Faulted, 1)]
    [InlineData(Message.Stuck, 1)]
    [InlineData(Message.Materialized, 3)]
    [InlineData(Message.Failed, 3)]
    [InlineData(Message.Faulted, 3)]
    [InlineData(Message.Stuck, 3)]
    public async Task A_running_run_ignores_messages_of_an_attempt_that_is_not_its_current_one(Message message, int staleAttempt)
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = await world.SeedAsync(RunStatus.Running, r =>
        {
            r.Attempts = 2;
            r.HeartbeatAt = DateTime.UtcNow - RunSagaWorld.Lease - TimeSpan.FromHours(1);
        });

        await AssertIgnoredAsync(world, id, message, staleAttempt);
    }

    [Theory]
    [InlineData(Message.Materialize)]
    [InlineData(Message.Materialized)]
    [InlineData(Message.Failed)]
    [InlineData(Message.Faulted)]
    [InlineData(Message.Stuck)]
    public async Task A_message_for_a_run_that_does_not_exist_is_dropped_without_a_fault(Message message)
    {
        await using var world = await RunSagaWorld.StartAsync();
        var id = Guid.CreateVersion7();

        await DeliverAsync(world, message, id, attempt: 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => world.RunAsync(id));
        Assert.Empty(world.Sent<MaterializeAudienceSnapshot>());
        Assert.Empty(world.Published<AudienceRunCompleted>());
        Assert.Empty(world.Published<AudienceRunFailed>());
        Assert.Empty(world.Database.Commands);
    }

    private static async Task AssertIgnoredAsync(RunSagaWorld world, Guid id, Message message, int attempt)
    {
        var before = await world.EffectsAsync(id);

        await DeliverAsync(world, message, id, attempt);

        Assert.Equal(before, await world.EffectsAsync(id));
    }

    private static Task DeliverAsync(RunSagaWorld world, Message message, Guid id, int attempt) => message switch
    {
        Message.Materialize => world.DeliverAsync(Materialize(id)),
        Message.Materialized => world.DeliverAsync(Materialized(id, attempt)),
        Message.Failed => world.DeliverAsync(Failed(id, attempt, retryable: true)),
        Message.Faulted => world.DeliverAsync(Faulted(id, attempt)),
        Message.Stuck => world.DeliverAsync(Stuck(id, attempt)),
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    };
}
