using System.Net;
using System.Text.Json;
using Intent.Tests.Integration.Api;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>The webhook routes' answers and rules. URLs here are public addresses nothing is ever sent to: no run or test event reaches them.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class WebhooksApiTests(PublicTargetsWebhooksWorld world) : IClassFixture<PublicTargetsWebhooksWorld>
{
    private const string Url = "https://93.184.215.14/hooks";

    [Fact]
    public async Task Create_answers_201_with_the_secret_once_and_events_in_their_order_without_repeats()
    {
        var client = await world.CallerAsync();

        var (create, created) = await client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks",
            new { url = Url, events = new[] { "run.failed", "run.queued", "run.failed" }, enabled = false, description = "  CRM sync  " });

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var webhook = created.Data();
        var id = webhook.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/intent/webhooks/{id}", create.Headers.Location!.OriginalString);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", webhook.GetProperty("secret").GetString());
        Assert.Equal(["run.queued", "run.failed"], webhook.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("CRM sync", webhook.GetProperty("description").GetString());
        Assert.False(webhook.GetProperty("enabled").GetBoolean());
        var shown = await WebhooksWorld.WebhookOfAsync(client, id);
        Assert.False(shown.TryGetProperty("secret", out _));
        var listed = (await client.SendAsync(HttpMethod.Get, "/v1/intent/webhooks")).Body.Data();
        Assert.Equal(shown.GetRawText(), Assert.Single(listed.EnumerateArray()).GetRawText());

        var (patch, patched) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/webhooks/{id}", new { events = new[] { "export.completed" }, description = "" });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(["export.completed"], patched.Data().GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, patched.Data().GetProperty("description").ValueKind);

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Delete, $"/v1/intent/webhooks/{id}")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/v1/intent/webhooks/{id}")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/v1/intent/webhooks/{id}")).Response.StatusCode);
    }

    [Theory]
    [InlineData("""{"url": "https://93.184.215.14/hooks"}""", "events")]
    [InlineData("""{"url": "https://93.184.215.14/hooks", "events": []}""", "events")]
    [InlineData("""{"url": "https://93.184.215.14/hooks", "events": ["run.queued", "run.exploded"]}""", "events[1]")]
    [InlineData("""{"url": "https://93.184.215.14/hooks", "events": ["webhook.test"]}""", "events[0]")]
    [InlineData("""{"events": ["run.queued"]}""", "url")]
    [InlineData("""{"url": "https://93.184.215.14/hooks", "events": ["run.queued"], "description": "line\nbreak"}""", "description")]
    public async Task A_bad_field_answers_400_naming_it_and_creates_nothing(string body, string field)
    {
        var client = await world.CallerAsync();

        var (response, answer) = await client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(answer.GetProperty("error").GetProperty("details").GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
        Assert.Empty((await client.SendAsync(HttpMethod.Get, "/v1/intent/webhooks")).Body.Data().EnumerateArray());
    }

    [Fact]
    public async Task An_unknown_field_is_refused_not_ignored()
    {
        var client = await world.CallerAsync();
        var (_, created) = await client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks", new { url = Url, events = new[] { "run.queued" }, enabled = false });
        var id = created.Data().GetProperty("id").GetGuid();
        var before = (await WebhooksWorld.WebhookOfAsync(client, id)).GetRawText();

        var (patch, answer) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/webhooks/{id}", new { enabeld = true });

        Assert.Equal(HttpStatusCode.BadRequest, patch.StatusCode);
        Assert.Equal("VALIDATION_ERROR", answer.ErrorCode());
        Assert.Equal(before, (await WebhooksWorld.WebhookOfAsync(client, id)).GetRawText());
    }

    [Fact]
    public async Task Concurrent_creations_never_pass_the_organizations_limit()
    {
        var client = await world.CallerAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 14).Select(_ =>
            client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks", new { url = Url, events = new[] { "run.queued" }, enabled = false })));

        Assert.Equal(10, answers.Count(a => a.Response.StatusCode == HttpStatusCode.Created));
        Assert.All(answers.Where(a => a.Response.StatusCode != HttpStatusCode.Created), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.Response.StatusCode);
            Assert.Equal("WEBHOOK_LIMIT_REACHED", a.Body.ErrorCode());
        });
        Assert.Equal(10, (await client.SendAsync(HttpMethod.Get, "/v1/intent/webhooks")).Body.Data().GetArrayLength());
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?status=lost", "status")]
    public async Task The_delivery_log_refuses_bad_parameters(string query, string field)
    {
        var client = await world.CallerAsync();
        var (_, created) = await client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks", new { url = Url, events = new[] { "run.queued" }, enabled = false });

        var (response, answer) = await client.SendAsync(HttpMethod.Get, $"/v1/intent/webhooks/{created.Data().GetProperty("id").GetGuid()}/deliveries{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, answer.GetProperty("error").GetProperty("details").GetProperty("errors")[0].GetProperty("field").GetString());
    }
}
