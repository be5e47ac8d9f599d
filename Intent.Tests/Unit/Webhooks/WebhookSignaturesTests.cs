using System.Security.Cryptography;
using System.Text;
using Intent.Pipeline.Webhooks;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Intent.Tests.Unit.Webhooks;

public sealed class WebhookSignaturesTests
{
    private const string Body = """{"type":"run.completed","timestamp":"2026-11-29T10:00:00Z","data":{"id":"x"}}""";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void A_signature_is_the_spec_s_hmac_of_id_timestamp_and_body_under_the_secret_s_bytes()
    {
        var secret = WebhookSignatures.NewSecret();
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"msg_1.{Now.ToUnixTimeSeconds()}.{Body}")));

        Assert.Equal(expected, WebhookSignatures.Header("msg_1", Now, Body, secret, previousSecret: null));
        Assert.Equal(32, key.Length);
        Assert.NotEqual(secret, WebhookSignatures.NewSecret());
    }

    [Fact]
    public void During_a_grace_period_each_secret_verifies_its_own_signature_with_the_library()
    {
        var (current, previous) = (WebhookSignatures.NewSecret(), WebhookSignatures.NewSecret());
        var header = WebhookSignatures.Header("msg_2", Now, Body, current, previous);
        var signatures = header.Split(' ');

        Assert.Equal(2, signatures.Length);
        Assert.True(Verifies(current, "msg_2", signatures[0]));
        Assert.True(Verifies(previous, "msg_2", signatures[1]));
        Assert.False(Verifies(previous, "msg_2", signatures[0]));
        Assert.False(Verifies(current, "msg_other", signatures[0]));
        Assert.False(Verifies(WebhookSignatures.NewSecret(), "msg_2", signatures[0]) || Verifies(WebhookSignatures.NewSecret(), "msg_2", signatures[1]));
    }

    /// <summary>Why receivers are told to split the header (docs/decisions/0011): when this fails, the library was fixed.</summary>
    [Fact]
    public void StandardWebhooks_1_1_2_verifies_only_the_first_of_several_signatures()
    {
        var (current, previous) = (WebhookSignatures.NewSecret(), WebhookSignatures.NewSecret());
        var header = WebhookSignatures.Header("msg_3", Now, Body, current, previous);

        Assert.True(Verifies(current, "msg_3", header));
        Assert.False(Verifies(previous, "msg_3", header));
    }

    private static bool Verifies(string secret, string messageId, string signatureHeader)
    {
        try
        {
            new StandardWebhook(secret).Verify(Body, new HeaderDictionary
            {
                ["webhook-id"] = messageId,
                ["webhook-timestamp"] = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["webhook-signature"] = signatureHeader,
            });
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }
}
