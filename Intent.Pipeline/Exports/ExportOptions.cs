namespace Intent.Pipeline.Exports;

/// <summary>Where stored exports live and how their download links are signed (configuration section <c>Exports</c>).</summary>
public sealed class ExportOptions
{
    public const string SectionName = "Exports";

    /// <summary><c>local</c> (a directory, the default) or <c>s3</c> (any S3-compatible store, see <see cref="S3"/>).</summary>
    public string Storage { get; set; } = "local";

    public S3ExportOptions S3 { get; set; } = new();

    /// <summary>Directory of the local export store; relative paths are under the working directory.</summary>
    public string Directory { get; set; } = "exports";

    /// <summary>
    /// Secret of the download links' HMAC-SHA256 signatures, at least 32 characters; the API and every
    /// worker need the same one. Required.
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>How long a signed download link works.</summary>
    public TimeSpan DownloadUrlTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a stored export is served after it is written; asking again later writes it anew.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the scheduler removes the files of expired exports.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Base URL of the API as users reach it, for links the worker sends (emails).</summary>
    public Uri PublicBaseUrl { get; set; } = new("http://127.0.0.1:8080");

    /// <summary>
    /// Whether CSV values a spreadsheet would evaluate as formulas get a leading <c>'</c> (see
    /// <see cref="CsvFormulaGuard"/>); turn off for machine consumers that want the values as stored.
    /// </summary>
    public bool NeutralizeFormulas { get; set; } = true;

    public const int MinimumSigningKeyLength = 32;
}
