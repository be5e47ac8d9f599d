using System.Text.Json.Serialization;

namespace Intent.ServiceDefaults.Envelope;

/// <summary>The <c>error</c> object of an error response: an UPPER_SNAKE code, a sentence, optional details.</summary>
public sealed record ApiError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("details"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Details = null);
