using System.Text.Json.Serialization;

namespace Intent.ServiceDefaults.Envelope;

/// <summary>Body of every 4xx and 5xx response: <c>{"error": {...}, "meta": {...}}</c>.</summary>
public sealed record ErrorEnvelope(
    [property: JsonPropertyName("error")] ApiError Error,
    [property: JsonPropertyName("meta")] Meta Meta);
