namespace Intent.Contracts.Exports;

/// <summary>Event: an export's file could not be written; asking for the export again retries it.</summary>
public sealed record AudienceExportFailed
{
    public required Guid ExportId { get; init; }

    public required Guid RunId { get; init; }

    public required string ErrorCode { get; init; }

    public required string ErrorMessage { get; init; }
}
