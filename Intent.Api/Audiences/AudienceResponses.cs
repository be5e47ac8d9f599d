using System.Text.Json;
using Intent.Data;
using Intent.Data.Audiences;
using Intent.Pipeline.Audiences;

namespace Intent.Api.Audiences;

public sealed record AudienceResponse(
    Guid Id,
    Guid OrganizationId,
    string Name,
    string Status,
    bool DailyRefreshEnabled,
    JsonElement Config,
    string ConfigHash,
    long AudienceSize,
    DateTime? LastRefreshedAt,
    IReadOnlyList<string> ReadyEmailRecipients,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static AudienceResponse From(Audience audience) => new(
        audience.Id,
        audience.OrganizationId,
        audience.Name,
        SnakeCaseNames.Of(audience.Status),
        audience.DailyRefreshEnabled,
        JsonSerializer.Deserialize<JsonElement>(audience.Config),
        audience.ConfigHash,
        audience.AudienceSize,
        audience.LastRefreshedAt,
        audience.ReadyEmailRecipients,
        audience.CreatedAt,
        audience.UpdatedAt);
}

public sealed record DeletedResponse(Guid Id, bool Deleted);

/// <summary>
/// A valid config's hash, normalized form, filters as applied and read strategy; or, invalid, its problems:
/// <c>errors</c> lists at most 20, <c>errorCount</c> counts them all.
/// </summary>
public sealed record ValidationResponse(
    bool Valid,
    string? ConfigHash,
    JsonElement? NormalizedConfig,
    IReadOnlyList<AppliedFilter>? AppliedFilters,
    string? Strategy,
    IReadOnlyList<FieldError>? Errors,
    int? ErrorCount);
