using Intent.Pipeline.Runs;

namespace Intent.Tests.Unit;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 120)]
    [InlineData(3, 480)]
    [InlineData(4, 1920)]
    public void Defaults_wait_30_seconds_times_4_per_failed_attempt(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new RunAttemptOptions().RetryDelay(attempt, random: 0.5));

    [Fact]
    public void Jitter_moves_a_wait_by_at_most_its_share_either_way()
    {
        var options = new RunAttemptOptions();
        Assert.Equal(TimeSpan.FromSeconds(24), options.RetryDelay(1, random: 0));
        Assert.Equal(36, options.RetryDelay(1, random: 0.999999).TotalSeconds, 0.001);
        Assert.Equal(TimeSpan.FromSeconds(30), new RunAttemptOptions { RetryJitter = 0 }.RetryDelay(1, random: 0.9));
    }

    [Fact]
    public void The_heartbeat_defaults_to_a_fifth_of_the_lease() =>
        Assert.Equal(TimeSpan.FromMinutes(2), new RunAttemptOptions { Lease = TimeSpan.FromMinutes(10) }.EffectiveHeartbeatInterval);
}
