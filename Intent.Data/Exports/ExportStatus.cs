namespace Intent.Data.Exports;

public static class ExportStatus
{
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
