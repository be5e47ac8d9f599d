namespace Intent.Data.Exports;

public static class ExportTypes
{
    public const string Csv = "csv";
}
