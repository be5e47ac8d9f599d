using System.Text.Json;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>One request the receiver got: its Standard Webhooks headers, body, when it came, what it was answered and which registered secrets verified it.</summary>
public sealed record ReceivedWebhook(
    string MessageId,
    string Timestamp,
    IReadOnlyList<string> Signatures,
    string? ContentType,
    string Body,
    DateTime ReceivedAt,
    int Answered,
    IReadOnlyList<string> VerifiedWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    public JsonElement Data => Json.GetProperty("data");
}
