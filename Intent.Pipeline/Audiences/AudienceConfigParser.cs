using System.Text.Json;
using Intent.Data;

namespace Intent.Pipeline.Audiences;

/// <summary>
/// Reads an audience config from JSON, checks every rule, and normalizes it. Topic existence is
/// checked by the caller against the catalog.
/// </summary>
public static class AudienceConfigParser
{
    public const int MaxTopics = 10;
    public const int MaxFilterValues = 100;
    public const int MaxFilterValueLength = 255;
    private const string Root = "config";
    private static readonly string[] Settings = ["topicIds", "minScore", "maxScore", "minTopicOverlap", "filters"];

    public static (AudienceConfig? Config, IReadOnlyList<FieldError> Errors) Parse(JsonElement config)
    {
        var errors = new List<FieldError>();
        if (config.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(Root, "must be an object"));
            return (null, errors);
        }

        foreach (var property in config.EnumerateObject())
        {
            if (!Settings.Contains(property.Name, StringComparer.Ordinal))
            {
                errors.Add(new($"{Root}.{property.Name}", $"is not a known setting ({string.Join(", ", Settings)})"));
            }
        }

        var topicIds = ParseTopicIds(config, errors);
        var minScore = ParseInt(config, "minScore", 70, 1, 100, errors);
        var maxScore = ParseInt(config, "maxScore", 100, 1, 100, errors);
        if (minScore is { } min && maxScore is { } max && max < min)
        {
            errors.Add(new($"{Root}.maxScore", $"must be at least minScore ({min})"));
        }

        var overlap = ParseInt(config, "minTopicOverlap", 1, 1, MaxTopics, errors);
        if (overlap is { } o && topicIds is { Count: > 0 } ids && o > ids.Count)
        {
            errors.Add(new($"{Root}.minTopicOverlap", $"must not exceed the number of topics ({ids.Count})"));
        }

        var filters = ParseFilters(config, errors);
        return errors.Count > 0
            ? (null, errors)
            : (new AudienceConfig(topicIds!, minScore!.Value, maxScore!.Value, overlap!.Value, filters), errors);
    }

    private static List<int>? ParseTopicIds(JsonElement config, List<FieldError> errors)
    {
        var field = $"{Root}.topicIds";
        if (!config.TryGetProperty("topicIds", out var value))
        {
            errors.Add(new(field, "is required"));
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(field, "must be an array of topic ids"));
            return null;
        }

        // Refused before any element is examined, however long the array.
        if (value.GetArrayLength() > MaxTopics)
        {
            errors.Add(new(field, $"must name 1 to {MaxTopics} distinct topics (got {value.GetArrayLength()} ids)"));
            return null;
        }

        var ids = new SortedSet<int>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id) || id < 1)
            {
                errors.Add(new($"{field}[{index}]", "must be a positive integer topic id"));
            }
            else
            {
                ids.Add(id);
            }

            index++;
        }

        if (ids.Count is 0 or > MaxTopics && errors.All(e => !e.Field.StartsWith(field, StringComparison.Ordinal)))
        {
            errors.Add(new(field, $"must name 1 to {MaxTopics} distinct topics"));
        }

        return [.. ids];
    }

    private static int? ParseInt(JsonElement config, string name, int fallback, int min, int max, List<FieldError> errors)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            errors.Add(new($"{Root}.{name}", $"must be an integer from {min} to {max}"));
            return null;
        }

        return number;
    }

    private static SortedDictionary<string, AudienceFilter> ParseFilters(JsonElement config, List<FieldError> errors)
    {
        var filters = new SortedDictionary<string, AudienceFilter>(StringComparer.Ordinal);
        if (!config.TryGetProperty("filters", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return filters;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new($"{Root}.filters", "must be an object keyed by filter"));
            return filters;
        }

        foreach (var filter in value.EnumerateObject())
        {
            var field = $"{Root}.filters.{filter.Name}";
            if (!FilterCatalog.Filters.TryGetValue(filter.Name, out var kind))
            {
                errors.Add(new(field, $"is not a known filter ({string.Join(", ", FilterCatalog.Filters.Keys)})"));
                continue;
            }

            var parsed = kind == FilterKind.Boolean ? ParseBoolean(filter.Value, field, errors) : ParseValues(filter.Value, field, errors);
            if (parsed is not null)
            {
                filters[filter.Name] = parsed;
            }
        }

        return filters;
    }

    private static AudienceFilter? ParseBoolean(JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return new AudienceFilter(FilterKind.Boolean, [], FilterMode.Any, value.GetBoolean());
        }

        errors.Add(new(field, "must be true or false"));
        return null;
    }

    private static AudienceFilter? ParseValues(JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(field, """must be an object {"values": [...], "mode": "any|all"}"""));
            return null;
        }

        var count = errors.Count;
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name is not ("values" or "mode"))
            {
                errors.Add(new($"{field}.{property.Name}", "is not a known property (values, mode)"));
            }
        }

        var mode = FilterMode.Any;
        if (value.TryGetProperty("mode", out var modeValue) && modeValue.ValueKind != JsonValueKind.Null
            && !(modeValue.ValueKind == JsonValueKind.String && SnakeCaseNames.TryParse(modeValue.GetString(), out mode)))
        {
            errors.Add(new($"{field}.mode", "must be \"any\" or \"all\""));
        }

        var values = new SortedSet<string>(StringComparer.Ordinal);
        if (!value.TryGetProperty("values", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new($"{field}.values", "is required: an array of strings"));
        }
        else if (items.GetArrayLength() > MaxFilterValues)
        {
            errors.Add(new($"{field}.values", $"must hold 1 to {MaxFilterValues} distinct values (got {items.GetArrayLength()})"));
        }
        else
        {
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                var text = item.ValueKind == JsonValueKind.String ? item.GetString()!.Trim() : null;
                if (string.IsNullOrEmpty(text) || text.Length > MaxFilterValueLength)
                {
                    errors.Add(new($"{field}.values[{index}]", $"must be a non-empty string of at most {MaxFilterValueLength} characters"));
                }
                else
                {
                    values.Add(text.ToLowerInvariant());
                }

                index++;
            }

            if (values.Count is 0 or > MaxFilterValues && errors.Count == count)
            {
                errors.Add(new($"{field}.values", $"must hold 1 to {MaxFilterValues} distinct values"));
            }
        }

        // With one value, "any" and "all" mean the same: keep one spelling so the hash agrees.
        return errors.Count > count ? null : new AudienceFilter(FilterKind.Values, [.. values], values.Count == 1 ? FilterMode.Any : mode, false);
    }
}
