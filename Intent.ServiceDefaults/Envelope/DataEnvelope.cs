using System.Text.Json.Serialization;

namespace Intent.ServiceDefaults.Envelope;

/// <summary>Body of every successful response: <c>{"data": ..., "meta": {...}}</c>.</summary>
public sealed record DataEnvelope<T>(
    [property: JsonPropertyName("data")] T Data,
    [property: JsonPropertyName("meta")] Meta Meta);
