using Intent.Cli;

namespace Intent.Tests.Unit;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("30d", 30 * 24 * 3600)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("45m", 45 * 60)]
    [InlineData("90s", 90)]
    [InlineData(" 7d ", 7 * 24 * 3600)]
    [InlineData("1.12:00:00", 36 * 3600)]
    [InlineData("00:30:00", 30 * 60)]
    [InlineData("3650d", 3650 * 24 * 3600)]
    public void Units_and_timespans_are_read(string text, long seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("d")]
    [InlineData("0d")]
    [InlineData("-1h")]
    [InlineData("+1h")]
    [InlineData("1w")]
    [InlineData("soon")]
    [InlineData("3651d")]
    [InlineData("99999999999999999999d")]
    [InlineData("-00:10:00")]
    [InlineData("00:00:00")]
    public void Empty_zero_negative_unknown_and_too_long_durations_are_refused(string text) =>
        Assert.False(Durations.TryParse(text, out _));
}
