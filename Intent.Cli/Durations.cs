using System.Globalization;

namespace Intent.Cli;

/// <summary>Durations as operators type them: <c>30d</c>, <c>12h</c>, <c>45m</c>, <c>90s</c>, or a TimeSpan such as <c>1.12:00:00</c>.</summary>
public static class Durations
{
    /// <summary>The longest duration accepted, so that now plus it is always a valid date.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    /// <summary>Parses a positive duration of at most <see cref="Longest"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var value = text.Trim();
        var unit = value[^1];
        if (unit is 'd' or 'h' or 'm' or 's'
            && long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count <= Longest.TotalSeconds)
        {
            duration = unit switch
            {
                'd' => TimeSpan.FromDays(count),
                'h' => TimeSpan.FromHours(count),
                'm' => TimeSpan.FromMinutes(count),
                _ => TimeSpan.FromSeconds(count),
            };
        }
        else if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration))
        {
            return false;
        }

        return duration > TimeSpan.Zero && duration <= Longest;
    }
}
