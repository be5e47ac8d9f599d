namespace Intent.Data.Runs;

/// <summary>
/// A data date whose daily runs have been queued: written when the daily job finishes a date, so the
/// "on data arrival" trigger can tell a new complete date from one already handled.
/// </summary>
public sealed class DailyRunDate
{
    public DateOnly DataDate { get; set; }

    /// <summary>Runs the last pass over this date queued.</summary>
    public long QueuedCount { get; set; }

    /// <summary>Audiences the last pass skipped (a run in flight, or already queued for the date).</summary>
    public long SkippedCount { get; set; }

    public DateTime QueuedAt { get; set; }
}
