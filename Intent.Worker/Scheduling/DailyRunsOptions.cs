namespace Intent.Worker.Scheduling;

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
}
