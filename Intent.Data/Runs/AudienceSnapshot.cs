namespace Intent.Data.Runs;

/// <summary>
/// The materialized people of one (organization, configHash, dataDate): runs with the same
/// <see cref="ResultKey"/> share it. Its members are in pages of <c>audience_snapshot_pages</c> (SQL only,
/// <see cref="SnapshotPages"/>), which refer to their snapshot by <see cref="Id"/>.
/// </summary>
public sealed class AudienceSnapshot
{
    /// <summary>The small number member pages carry instead of the 64-character result key.</summary>
    public int Id { get; set; }

    public string ResultKey { get; set; } = "";

    public Guid OrganizationId { get; set; }

    public string ConfigHash { get; set; } = "";

    public DateOnly DataDate { get; set; }

    public long CandidateCount { get; set; }

    public long ResultCount { get; set; }

    /// <summary>
    /// The stats document (jsonb) computed with the snapshot: total, fill rates, score histogram, averages.
    /// Null only for a snapshot made before stats existed, until someone asks for them.
    /// </summary>
    public string? Stats { get; set; }

    public DateTime CreatedAt { get; set; }
}
