using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Intent.Data;

namespace Intent.Pipeline.Audiences;

/// <summary>
/// A normalized audience config: topics sorted and distinct, defaults filled, filter values
/// normalized. Its canonical JSON and hash depend only on its meaning: <see cref="SourceUrl"/>, where
/// the topics came from, is kept with the config but does not change which people match, so it is not hashed.
/// </summary>
public sealed record AudienceConfig(
    IReadOnlyList<int> TopicIds,
    int MinScore,
    int MaxScore,
    int MinTopicOverlap,
    IReadOnlyDictionary<string, AudienceFilter> Filters)
{
    /// <summary>The page the topics were chosen for (Orbit's <c>sourceUrl</c>), when given.</summary>
    public string? SourceUrl { get; init; }

    /// <summary>Canonical JSON: fixed key order, no whitespace; <c>sourceUrl</c> last, when given.</summary>
    public string ToJson() => ToJson(withSource: true);

    /// <summary>SHA-256 hex of the canonical JSON without <c>sourceUrl</c>.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson(withSource: false))));

    private string ToJson(bool withSource)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("topicIds");
            foreach (var id in TopicIds)
            {
                json.WriteNumberValue(id);
            }

            json.WriteEndArray();
            json.WriteNumber("minScore", MinScore);
            json.WriteNumber("maxScore", MaxScore);
            json.WriteNumber("minTopicOverlap", MinTopicOverlap);
            json.WriteStartObject("filters");
            foreach (var (key, filter) in Filters.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                if (filter.Kind == FilterKind.Boolean)
                {
                    json.WriteBoolean(key, filter.Flag);
                    continue;
                }

                json.WriteStartObject(key);
                json.WriteStartArray("values");
                foreach (var value in filter.Values)
                {
                    json.WriteStringValue(value);
                }

                json.WriteEndArray();
                json.WriteString("mode", SnakeCaseNames.Of(filter.Mode));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            if (withSource && SourceUrl is not null)
            {
                json.WriteString("sourceUrl", SourceUrl);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
