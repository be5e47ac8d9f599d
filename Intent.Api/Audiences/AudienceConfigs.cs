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
        JsonElement? json, IntentDbContext db, CancellationToken cancellationToken)
    {
        if (json is not { } config || config.ValueKind == JsonValueKind.Null)
        {
            return (null, [new FieldError("config", "is required")]);
        }

        var (normalized, errors) = AudienceConfigParser.Parse(config);
        if (normalized is null)
        {
            return (null, errors);
        }

        var known = await db.Topics.Where(t => normalized.TopicIds.Contains(t.TopicId)).Select(t => t.TopicId).ToListAsync(cancellationToken);
        var missing = normalized.TopicIds.Except(known).ToList();
        return missing.Count > 0
            ? (null, [new FieldError("config.topicIds", $"names unknown topics: {string.Join(", ", missing)}")])
            : (normalized, []);
    }

    public static async Task<AudienceConfig> RequireAsync(JsonElement? json, IntentDbContext db, CancellationToken cancellationToken)
    {
        var (config, errors) = await NormalizeAsync(json, db, cancellationToken);
        return config ?? throw Validation.Errors(errors);
    }
}
