namespace Intent.Contracts.Exports;

/// <summary>Command to the worker: write the stored CSV file of an export that is processing.</summary>
public sealed record WriteAudienceExport
{
    public required Guid ExportId { get; init; }

    /// <summary>The run whose people the file holds.</summary>
    public required Guid RunId { get; init; }
}
