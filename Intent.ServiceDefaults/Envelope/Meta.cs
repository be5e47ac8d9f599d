using System.Text.Json.Serialization;

namespace Intent.ServiceDefaults.Envelope;

/// <summary>The <c>meta</c> object of every response body.</summary>
public sealed record Meta(
    [property: JsonPropertyName("timestamp")] DateTime Timestamp,
    [property: JsonPropertyName("request_id")] string RequestId);
