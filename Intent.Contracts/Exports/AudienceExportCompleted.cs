namespace Intent.Contracts.Exports;

/// <summary>Event: an export's file is stored and can be downloaded.</summary>
public sealed record AudienceExportCompleted
{
    public required Guid ExportId { get; init; }

    public required Guid RunId { get; init; }
}
