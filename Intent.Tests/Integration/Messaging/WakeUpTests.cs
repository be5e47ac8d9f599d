using System.Diagnostics;
using Intent.Tests.Integration.Messaging.Support;

namespace Intent.Tests.Integration.Messaging;

/// <summary>
/// Relays are woken after a commit by the writing process, not by a NOTIFY inside the writer's
/// transaction; a wake-up that never comes costs at most the relays' poll interval.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class WakeUpTests : MessagingTest
{
    [Fact]
    public async Task A_commit_in_one_process_wakes_a_relay_in_another_long_before_its_poll()
    {
        var group = TestNames.Group();
        await using var relay = await MessagingTestHost.StartAsync(Queues, o => o.Outbox = outbox => outbox.PollInterval = TimeSpan.FromMinutes(5));
        await using var writer = await MessagingTestHost.StartAsync(Queues, o => { o.Relay = false; o.Consumers = false; });
        // The relay's first poll at start is behind it: from now on only a wake-up (or a poll in 5 minutes) delivers.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        await writer.PublishInTransactionAsync([new TestEvent(group, 1)]);
        await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), effects => effects.Count == 1, TimeSpan.FromSeconds(30), "the message to be consumed");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"woken, not polled: consumed after {watch.Elapsed}");
    }

    [Fact]
    public async Task A_lost_wake_up_delays_a_message_by_at_most_the_poll_interval()
    {
        var group = TestNames.Group();
        var poll = TimeSpan.FromSeconds(3);
        await using var relay = await MessagingTestHost.StartAsync(Queues, o => o.Outbox = outbox => outbox.PollInterval = poll);
        await using var writer = await MessagingTestHost.StartAsync(Queues, o =>
        {
            o.Relay = false;
            o.Consumers = false;
            o.Outbox = outbox => outbox.WakeUpOtherProcesses = false;
        });

        var watch = Stopwatch.StartNew();
        await writer.PublishInTransactionAsync([new TestEvent(group, 1)]);
        await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(group), effects => effects.Count == 1, TimeSpan.FromSeconds(30), "the message to be consumed");

        Assert.True(watch.Elapsed <= poll + TimeSpan.FromSeconds(6), $"delivered by the next poll: consumed after {watch.Elapsed}");
    }

    [Fact]
    public async Task No_trigger_notifies_inside_writing_transactions()
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestSettings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_trigger WHERE tgname = 'outbox_state_notify'", connection);

        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }
}
