using Intent.Data.Exports;
using Intent.Pipeline.Runs;

namespace Intent.Pipeline.Exports;

/// <summary>A stored export as the API shows it (and the <c>export.completed</c> webhook event carries it).</summary>
public sealed record ExportBody(
    Guid Id,
    Guid OrganizationId,
    Guid AudienceId,
    Guid RunId,
    string ExportType,
    string Status,
    string ContentType,
    long? ByteSize,
    long? RowCount,
    string? ContentSha256,
    string? StorageProvider,
    string? ErrorCode,
    string? ErrorMessage,
    DateTime? CompletedAt,
    DateTime? ExpiresAt,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static ExportBody From(AudienceExport e) => new(
        e.Id, e.OrganizationId, e.AudienceId, e.RunId, e.ExportType, e.Status, e.ContentType, e.ByteSize, e.RowCount, e.ContentSha256,
        e.StorageProvider, e.ErrorCode, e.ErrorMessage, Stored(e.CompletedAt), Stored(e.ExpiresAt), RunResponse.Stored(e.CreatedAt), RunResponse.Stored(e.UpdatedAt));

    private static DateTime? Stored(DateTime? time) => time is { } t ? RunResponse.Stored(t) : null;
}
