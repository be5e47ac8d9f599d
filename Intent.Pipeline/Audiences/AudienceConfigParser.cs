using System.Text.Json;
using Intent.Data;

namespace Intent.Pipeline.Audiences;

/// <summary>
/// Reads an audience config from JSON, checks every rule, and normalizes it. Topic existence is
/// checked by the caller against the catalog. Filters may be keyed by their dotted key
/// (<c>"role.seniority"</c>, or an older key that still means one) or nested by group
/// (<c>{"role": {"seniority": ..., "seniorityMode": "any"}}</c>); a values filter may be an object
/// <c>{"values", "mode", "operator"}</c> or just its array of values.
/// </summary>
public static class AudienceConfigParser
{
    public const int MaxTopics = 10;
    public const int MaxFilterValues = 100;
    public const int MaxFilterValueLength = 255;
    public const int MaxSourceUrlLength = 2048;
    private const string ModeSuffix = "Mode";
    private static readonly string[] Settings = ["topicIds", "minScore", "maxScore", "minTopicOverlap", "filters", "sourceUrl"];

    /// <summary>
    /// Parses <paramref name="config"/>; errors name fields under <paramref name="root"/> (<c>config.minScore</c>), or
    /// bare (<c>minScore</c>) when it is empty, for a body that is the config itself.
    /// </summary>
    public static (AudienceConfig? Config, IReadOnlyList<FieldError> Errors) Parse(JsonElement config, string root = "config")
    {
        var errors = new List<FieldError>();
        string Field(string name) => root.Length == 0 ? name : $"{root}.{name}";
        if (config.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(root.Length == 0 ? "body" : root, "must be an object"));
            return (null, errors);
        }

        foreach (var property in config.EnumerateObject())
        {
            if (!Settings.Contains(property.Name, StringComparer.Ordinal))
            {
                errors.Add(new(Field(property.Name), $"is not a known setting ({string.Join(", ", Settings)})"));
            }
        }

        var topicIds = ParseTopicIds(config, Field("topicIds"), errors);
        var minScore = ParseInt(config, "minScore", Field("minScore"), 70, 1, 100, errors);
        var maxScore = ParseInt(config, "maxScore", Field("maxScore"), 100, 1, 100, errors);
        if (minScore is { } min && maxScore is { } max && max < min)
        {
            errors.Add(new(Field("maxScore"), $"must be at least minScore ({min})"));
        }

        var overlap = ParseInt(config, "minTopicOverlap", Field("minTopicOverlap"), 1, 1, MaxTopics, errors);
        if (overlap is { } o && topicIds is { Count: > 0 } ids && o > ids.Count)
        {
            errors.Add(new(Field("minTopicOverlap"), $"must not exceed the number of topics ({ids.Count})"));
        }

        var filters = ParseFilters(config, Field("filters"), errors);
        var sourceUrl = ParseSourceUrl(config, Field("sourceUrl"), errors);
        return errors.Count > 0
            ? (null, errors)
            : (new AudienceConfig(topicIds!, minScore!.Value, maxScore!.Value, overlap!.Value, filters) { SourceUrl = sourceUrl }, errors);
    }

    private static List<int>? ParseTopicIds(JsonElement config, string field, List<FieldError> errors)
    {
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

    private static int? ParseInt(JsonElement config, string name, string field, int fallback, int min, int max, List<FieldError> errors)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            errors.Add(new(field, $"must be an integer from {min} to {max}"));
            return null;
        }

        return number;
    }

    private static SortedDictionary<string, AudienceFilter> ParseFilters(JsonElement config, string root, List<FieldError> errors)
    {
        var filters = new Parsed(new SortedDictionary<string, AudienceFilter>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        if (!config.TryGetProperty("filters", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return filters.Filters;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(root, "must be an object keyed by filter"));
            return filters.Filters;
        }

        foreach (var filter in value.EnumerateObject())
        {
            var field = $"{root}.{filter.Name}";
            if (Find(filter.Name) is { } definition)
            {
                Add(filters, definition, ParseFilter(definition, filter.Value, field, errors), field, errors);
            }
            else if (FilterCatalog.Groups.Any(g => g.Key == filter.Name) && filter.Value.ValueKind == JsonValueKind.Object)
            {
                ParseGroup(filter.Name, filter.Value, field, filters, errors);
            }
            else
            {
                errors.Add(new(field, $"is not a known filter ({string.Join(", ", FilterCatalog.Filters.Keys)})"));
            }
        }

        return filters.Filters;
    }

    /// <summary>The nested form: <c>{"jobTitle": {"include": ["data"], "includeMode": "all"}}</c>.</summary>
    private static void ParseGroup(string group, JsonElement value, string root, Parsed filters, List<FieldError> errors)
    {
        foreach (var filter in value.EnumerateObject())
        {
            var field = $"{root}.{filter.Name}";
            if (Find($"{group}.{filter.Name}") is { } definition)
            {
                var parsed = ParseFilter(definition, filter.Value, field, errors);
                if (parsed is not null && definition.Kind == FilterKind.Values && value.TryGetProperty(filter.Name + ModeSuffix, out var mode))
                {
                    parsed = ParseMode(mode, $"{field}{ModeSuffix}", errors) is { } given ? Normalized(parsed.Values, given) : null;
                }

                Add(filters, definition, parsed, field, errors);
            }
            else if (!(filter.Name.EndsWith(ModeSuffix, StringComparison.Ordinal)
                       && Find($"{group}.{filter.Name[..^ModeSuffix.Length]}") is { Kind: FilterKind.Values }
                       && value.TryGetProperty(filter.Name[..^ModeSuffix.Length], out _)))
            {
                var known = FilterCatalog.All.Where(f => f.Group == group).Select(f => f.Name);
                errors.Add(new(field, $"is not a known {group} filter ({string.Join(", ", known)})"));
            }
        }
    }

    private static FilterDefinition? Find(string key) =>
        FilterCatalog.Filters.GetValueOrDefault(key) ?? FilterCatalog.Aliases.GetValueOrDefault(key);

    private static void Add(Parsed filters, FilterDefinition definition, AudienceFilter? parsed, string field, List<FieldError> errors)
    {
        if (!filters.Given.Add(definition.Key))
        {
            errors.Add(new(field, $"names {definition.Key} again (a filter may be given once, in one spelling)"));
        }
        else if (parsed is not null)
        {
            filters.Filters[definition.Key] = parsed;
        }
    }

    private sealed record Parsed(SortedDictionary<string, AudienceFilter> Filters, HashSet<string> Given);

    private static AudienceFilter? ParseFilter(FilterDefinition definition, JsonElement value, string field, List<FieldError> errors) =>
        definition.Kind == FilterKind.Boolean ? ParseBoolean(value, field, errors) : ParseValues(definition, value, field, errors);

    private static AudienceFilter? ParseBoolean(JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return new AudienceFilter(FilterKind.Boolean, [], FilterMode.Any, value.GetBoolean());
        }

        errors.Add(new(field, "must be true or false"));
        return null;
    }

    private static AudienceFilter? ParseValues(FilterDefinition definition, JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            var values = ParseValueList(value, $"{field}.values", errors);
            return values is null ? null : Normalized(values, FilterMode.Any);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(field, """must be an object {"values": [...], "mode": "any|all"} or an array of values"""));
            return null;
        }

        var count = errors.Count;
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name is not ("values" or "mode" or "operator"))
            {
                errors.Add(new($"{field}.{property.Name}", "is not a known property (values, mode, operator)"));
            }
        }

        var mode = FilterMode.Any;
        if (value.TryGetProperty("mode", out var modeValue))
        {
            mode = ParseMode(modeValue, $"{field}.mode", errors) ?? mode;
        }

        if (value.TryGetProperty("operator", out var operatorValue) && operatorValue.ValueKind != JsonValueKind.Null
            && !(operatorValue.ValueKind == JsonValueKind.String && operatorValue.GetString() == definition.Operator))
        {
            errors.Add(new($"{field}.operator", $"must be \"{definition.Operator}\" for this filter"));
        }

        SortedSet<string>? parsed = null;
        if (!value.TryGetProperty("values", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new($"{field}.values", "is required: an array of strings"));
        }
        else
        {
            parsed = ParseValueList(items, $"{field}.values", errors);
        }

        return errors.Count > count || parsed is null ? null : Normalized(parsed, mode);
    }

    private static FilterMode? ParseMode(JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return FilterMode.Any;
        }

        if (value.ValueKind == JsonValueKind.String && SnakeCaseNames.TryParse<FilterMode>(value.GetString(), out var mode))
        {
            return mode;
        }

        errors.Add(new(field, "must be \"any\" or \"all\""));
        return null;
    }

    private static SortedSet<string>? ParseValueList(JsonElement items, string field, List<FieldError> errors)
    {
        // Refused before any element is examined, however long the array.
        if (items.GetArrayLength() > MaxFilterValues)
        {
            errors.Add(new(field, $"must hold 1 to {MaxFilterValues} distinct values (got {items.GetArrayLength()})"));
            return null;
        }

        var count = errors.Count;
        var values = new SortedSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString()!.Trim() : null;
            if (string.IsNullOrEmpty(text) || text.Length > MaxFilterValueLength)
            {
                errors.Add(new($"{field}[{index}]", $"must be a non-empty string of at most {MaxFilterValueLength} characters"));
            }
            else
            {
                values.Add(text.ToLowerInvariant());
            }

            index++;
        }

        if (values.Count == 0 && errors.Count == count)
        {
            errors.Add(new(field, $"must hold 1 to {MaxFilterValues} distinct values"));
        }

        return errors.Count > count ? null : values;
    }

    // With one value, "any" and "all" mean the same: keep one spelling so the hash agrees.
    private static AudienceFilter Normalized(IEnumerable<string> values, FilterMode mode)
    {
        var list = values.ToList();
        return new AudienceFilter(FilterKind.Values, list, list.Count == 1 ? FilterMode.Any : mode, false);
    }

    private static string? ParseSourceUrl(JsonElement config, string field, List<FieldError> errors)
    {
        if (!config.TryGetProperty("sourceUrl", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        if (text is null || text.Length is 0 or > MaxSourceUrlLength || !Uri.TryCreate(text, UriKind.Absolute, out var url)
            || url.Scheme is not ("http" or "https") || text.Any(char.IsControl))
        {
            errors.Add(new(field, $"must be an http or https URL of at most {MaxSourceUrlLength} characters"));
            return null;
        }

        return text;
    }
}
