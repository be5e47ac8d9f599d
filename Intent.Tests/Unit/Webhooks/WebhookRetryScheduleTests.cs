using Intent.Pipeline.Webhooks;

namespace Intent.Tests.Unit.Webhooks;

public sealed class WebhookRetryScheduleTests
{
    private static readonly WebhookOptions Defaults = new();

    [Fact]
    public void The_default_schedule_waits_5s_30s_2min_10min_1h_6h_then_gives_up()
    {
        Assert.Equal(
            [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(6), null],
            Enumerable.Range(1, 7).Select(attempt => Defaults.NextDelay(attempt, retryAfter: null)));
    }

    [Fact]
    public void A_retry_after_longer_than_the_schedule_wins_up_to_its_longest_wait()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), Defaults.NextDelay(1, TimeSpan.FromSeconds(90)));
        Assert.Equal(TimeSpan.FromSeconds(30), Defaults.NextDelay(2, TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromHours(6), Defaults.NextDelay(1, TimeSpan.FromDays(30)));
        Assert.Null(Defaults.NextDelay(7, TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("00:00:01, 00:00:02", true)]
    [InlineData("", true)]
    [InlineData("00:00:01,soon", false)]
    [InlineData("00:00:01,-00:00:01", false)]
    [InlineData("00:00:00", false)]
    public void A_schedule_is_comma_separated_positive_timespans(string schedule, bool valid) =>
        Assert.Equal(valid, WebhookOptions.ParseSchedule(schedule) is not null);
}
