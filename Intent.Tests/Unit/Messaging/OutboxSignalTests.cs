using Intent.Messaging.Relay;

namespace Intent.Tests.Unit.Messaging;

/// <summary>A set wakes one waiting loop, not all of them; a set nobody waited for is kept for the next wait.</summary>
public sealed class OutboxSignalTests
{
    [Fact]
    public async Task One_set_wakes_one_of_two_waiters_and_the_next_set_the_other()
    {
        var signal = new OutboxSignal();
        var first = signal.WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        var second = signal.WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        signal.Set();
        var woken = await Task.WhenAny(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await woken);
        var other = woken == first ? second : first;
        await Task.Delay(200);
        Assert.False(other.IsCompleted);

        signal.Set();
        Assert.True(await other.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_set_while_nobody_waits_is_kept_and_a_wait_without_one_times_out()
    {
        var signal = new OutboxSignal();
        signal.Set();
        signal.Set();

        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.False(await signal.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }
}
