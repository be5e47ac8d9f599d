namespace Intent.Pipeline.Scheduling;

/// <summary>When daily runs are queued (configuration section <c>DailyRuns</c>).</summary>
public sealed class DailyRunsOptions
{
    public const string SectionName = "DailyRuns";

    /// <summary>Quartz cron expression; default every day at 06:00.</summary>
    public string Cron { get; set; } = "0 0 6 * * ?";

    /// <summary>Time zone of <see cref="Cron"/> (IANA id); default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Audiences per transaction, so any number of them queue without a long transaction.</summary>
    public int BatchSize { get; set; } = 2_000;

    /// <summary>
    /// Also queue daily runs as soon as a new complete data date appears, instead of waiting for the
    /// next <see cref="Cron"/> time; default off.
    /// </summary>
    public bool OnDataArrival { get; set; }

    /// <summary>With <see cref="OnDataArrival"/>, how often to look for a new complete data date.</summary>
    public TimeSpan DataArrivalInterval { get; set; } = TimeSpan.FromMinutes(1);
}
