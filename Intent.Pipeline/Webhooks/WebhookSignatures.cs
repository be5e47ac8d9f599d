using System.Security.Cryptography;
using StandardWebhooks;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// Secrets and signatures of the Standard Webhooks spec (the <c>StandardWebhooks</c> package signs):
/// <c>webhook-signature</c> is <c>v1,</c> and the base64 HMAC-SHA256 of <c>{webhook-id}.{webhook-timestamp}.{body}</c>,
/// one per valid secret, separated by spaces.
/// </summary>
public static class WebhookSignatures
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-id</c> of an event: the same on every attempt and for every webhook, so receivers can drop repeats.</summary>
    public static string MessageId(Guid eventId) => $"msg_{eventId:N}";

    /// <summary>The <c>webhook-signature</c> value: the current secret's signature, then the previous secret's while it is still valid.</summary>
    public static string Header(string messageId, DateTimeOffset timestamp, string body, string secret, string? previousSecret)
    {
        var current = new StandardWebhook(secret).Sign(messageId, timestamp, body);
        return previousSecret is null ? current : $"{current} {new StandardWebhook(previousSecret).Sign(messageId, timestamp, body)}";
    }
}
