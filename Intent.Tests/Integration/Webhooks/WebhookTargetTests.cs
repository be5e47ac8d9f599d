using System.Net;
using System.Text.Json;
using Intent.Tests.Integration.Api;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>
/// No server-side request forgery, with <c>Webhooks__AllowPrivateTargets</c> off as deployed: URLs on
/// non-public addresses are refused when saved, and a webhook whose host resolves to one by the time
/// it is sent to (written here straight into the table, as a name that moved would be) is refused at
/// the connection, before any byte reaches the address.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class WebhookTargetTests(PublicTargetsWebhooksWorld world) : IClassFixture<PublicTargetsWebhooksWorld>
{
    public static TheoryData<string> Refused() =>
    [
        "http://93.184.215.14/hooks",
        "https://127.0.0.1/hooks",
        "https://127.8.9.10/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://172.16.0.1/hooks",
        "https://192.168.1.1/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.100.100.200/latest/meta-data/",
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://[fe80::1]/hooks",
        "https://user:secret@93.184.215.14/hooks",
        "ftp://93.184.215.14/hooks",
        "/relative/hooks",
        "not a url",
    ];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_url_that_is_not_https_to_a_public_address_is_refused_when_saved(string url)
    {
        var client = await world.CallerAsync();

        var (create, created) = await client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks", new { url, events = new[] { "run.completed" } });

        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Equal("VALIDATION_ERROR", created.ErrorCode());
        Assert.Equal("url", created.GetProperty("error").GetProperty("details").GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Empty((await client.SendAsync(HttpMethod.Get, "/v1/intent/webhooks")).Body.Data().EnumerateArray());
    }

    [Fact]
    public async Task A_public_https_url_is_accepted_and_a_change_to_a_private_one_is_refused()
    {
        var client = await world.CallerAsync();
        var (create, created) = await client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks",
            new { url = "https://93.184.215.14/hooks", events = new[] { "run.completed" }, enabled = false });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var id = created.Data().GetProperty("id").GetGuid();

        var (patch, patched) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/webhooks/{id}", new { url = "https://169.254.169.254/" });

        Assert.Equal(HttpStatusCode.BadRequest, patch.StatusCode);
        Assert.Equal("url", patched.GetProperty("error").GetProperty("details").GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("https://93.184.215.14/hooks", (await WebhooksWorld.WebhookOfAsync(client, id)).GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Delete, $"/v1/intent/webhooks/{id}")).Response.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task A_host_that_resolves_to_a_private_address_at_send_time_is_refused_and_never_reached(string host)
    {
        var (client, organizationId) = await world.OrganizationAsync();
        var url = world.Receiver.NewUrl("https", host);
        var webhookId = Guid.NewGuid();
        await world.Runs.Database.ExecuteAsync($"""
            INSERT INTO webhooks (id, organization_id, url, events, enabled, secret, consecutive_failures, created_at, updated_at)
            VALUES ('{webhookId}', '{organizationId}', '{url}', ARRAY['run.queued'], true, 'whsec_{Convert.ToBase64String(new byte[32])}', 0, now(), now())
            """);

        await WebhooksWorld.SendTestAsync(client, webhookId);

        var delivery = Assert.Single(await WebhooksWorld.SettledDeliveriesAsync(client, webhookId, 1));
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal("TARGET_REFUSED: The URL resolves to an address webhooks may not reach.", delivery.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("lastResponseStatus").ValueKind);
        Assert.Empty(world.Receiver.Received(url));
    }
}
