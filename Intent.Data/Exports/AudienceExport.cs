namespace Intent.Data.Exports;

/// <summary>
/// A stored CSV file of one completed run's people, written by the worker to the export store. One
/// per run and export type: asking again reuses it.
/// </summary>
public sealed class AudienceExport
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid AudienceId { get; set; }

    public Guid RunId { get; set; }

    /// <summary>Always <c>csv</c> today.</summary>
    public string ExportType { get; set; } = ExportTypes.Csv;

    /// <summary><c>processing</c>, <c>completed</c> or <c>failed</c>.</summary>
    public string Status { get; set; } = ExportStatus.Processing;

    public string ContentType { get; set; } = "text/csv; charset=utf-8";

    public long? ByteSize { get; set; }

    public long? RowCount { get; set; }

    /// <summary>SHA-256 hex of the stored file.</summary>
    public string? ContentSha256 { get; set; }

    /// <summary>Which store holds the file (<c>local</c>, <c>s3</c>).</summary>
    public string? StorageProvider { get; set; }

    /// <summary>The file's key in its store.</summary>
    public string? StorageKey { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public DateTime? CompletedAt { get; set; }

    /// <summary>When the stored file is no longer served; asking again after that writes it anew.</summary>
    public DateTime? ExpiresAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
