namespace Intent.Pipeline.Runs;

/// <summary>When snapshots no run uses are removed (configuration section <c>Runs</c>).</summary>
public sealed class SnapshotRetentionOptions
{
    public const string SectionName = "Runs";

    /// <summary>A snapshot no run uses is removed once it is older than this.</summary>
    public TimeSpan SnapshotRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the scheduler looks for such snapshots.</summary>
    public TimeSpan SnapshotSweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Snapshots removed per transaction (each with all its members).</summary>
    public int SnapshotSweepBatchSize { get; set; } = 100;
}
