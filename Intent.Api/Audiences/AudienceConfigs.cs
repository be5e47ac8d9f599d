using System.Text.Json;
using Intent.Api.Errors;
using Intent.Data;
using Intent.Pipeline.Audiences;
using Microsoft.EntityFrameworkCore;

namespace Intent.Api.Audiences;

/// <summary>Parses and normalizes a config, and checks its topics exist in the catalog.</summary>
public static class AudienceConfigs
{
    public static async Task<(AudienceConfig? Config, IReadOnlyList<FieldError> Errors)> NormalizeAsync(
        JsonElement? json, IntentDbContext db, CancellationToken cancellationToken, string root = "config")
    {
        if (json is not { } config || config.ValueKind == JsonValueKind.Null)
        {
            return (null, [new FieldError(root.Length == 0 ? "body" : root, "is required")]);
        }

        var (normalized, errors) = AudienceConfigParser.Parse(config, root);
        if (normalized is null)
        {
            return (null, errors);
        }

        var known = await db.Topics.Where(t => normalized.TopicIds.Contains(t.TopicId)).Select(t => t.TopicId).ToListAsync(cancellationToken);
        var missing = normalized.TopicIds.Except(known).ToList();
        return missing.Count > 0
            ? (null, [new FieldError(root.Length == 0 ? "topicIds" : $"{root}.topicIds", $"names unknown topics: {string.Join(", ", missing)}")])
            : (normalized, []);
    }

    /// <summary>
    /// The config of a validate or preview body: Orbit's form, the config fields at the top level
    /// (<c>{"topicIds": [...], ...}</c>, errors name <c>topicIds</c>), or ours, <c>{"config": {...}}</c>
    /// (errors name <c>config.topicIds</c>); a body with a <c>config</c> property is read as ours.
    /// </summary>
    public static Task<(AudienceConfig? Config, IReadOnlyList<FieldError> Errors)> NormalizeBodyAsync(
        JsonElement body, IntentDbContext db, CancellationToken cancellationToken) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("config", out var wrapped)
            ? NormalizeAsync(wrapped, db, cancellationToken)
            : NormalizeAsync(body, db, cancellationToken, root: "");

    public static async Task<AudienceConfig> RequireAsync(JsonElement? json, IntentDbContext db, CancellationToken cancellationToken)
    {
        var (config, errors) = await NormalizeAsync(json, db, cancellationToken);
        return config ?? throw Validation.Errors(errors);
    }
}
