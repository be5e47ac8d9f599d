namespace Intent.Data.Exports;

/// <summary>
/// A stored file that has to go: its export row was deleted or now names another file, or a write
/// that may never be committed. Rows for files leaving <c>audience_exports</c> are written by a trigger
/// in the same transaction, so no process dying between two steps leaves a file behind for good; the
/// exports sweep removes the file, then the row.
/// </summary>
public sealed class ExportFileRemoval
{
    public string StorageKey { get; set; } = "";

    /// <summary>The store that holds the file (<c>local</c>, <c>s3</c>).</summary>
    public string StorageProvider { get; set; } = "";

    /// <summary>Not removed before this time (a write in progress gets time to finish and claim its file).</summary>
    public DateTime RemoveAfter { get; set; }

    /// <summary><see cref="ExportFileRemovalReasons"/>: why the file goes.</summary>
    public string Reason { get; set; } = "";
}
