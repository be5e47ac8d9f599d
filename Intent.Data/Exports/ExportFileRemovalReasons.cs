namespace Intent.Data.Exports;

public static class ExportFileRemovalReasons
{
    /// <summary>The export row was deleted (its run, audience or organization was deleted).</summary>
    public const string Deleted = "deleted";

    /// <summary>The export expired, or a rewrite replaced the file.</summary>
    public const string Replaced = "replaced";

    /// <summary>A write in progress: removed unless the writer commits the export within the grace period.</summary>
    public const string Unfinished = "unfinished";
}
