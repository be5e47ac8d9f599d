using System.Net;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Api;

/// <summary>An API with limits small enough to reach in a test.</summary>
public sealed class LimitedApiFixture() : ApiFixture(new Dictionary<string, string?>
{
    ["RateLimits:PerOrganizationPerMinute"] = "4",
    ["RateLimits:PerAddressPerMinute"] = "3",
    ["RateLimits:ExpensivePerOrganizationPerMinute"] = "2",
});

[Collection(IntegrationGroup.Name)]
public sealed class RateLimitTests(LimitedApiFixture api) : IClassFixture<LimitedApiFixture>
{
    [Fact]
    public async Task An_organization_over_its_limit_gets_429_with_Retry_After_and_other_organizations_do_not_notice()
    {
        var (first, _, _) = await api.CallerAsync();
        var (second, _, _) = await api.CallerAsync();

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await first.SendAsync(HttpMethod.Get, "/v1/intent/audiences")).Response.StatusCode);
        }

        var (limited, body) = await first.SendAsync(HttpMethod.Get, "/v1/intent/audiences");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("RATE_LIMITED", body.ErrorCode());
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(retryAfter, body.GetProperty("error").GetProperty("details").GetProperty("retryAfterSeconds").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await second.SendAsync(HttpMethod.Get, "/v1/intent/audiences")).Response.StatusCode);
    }

    [Fact]
    public async Task Public_routes_are_limited_per_client_address_and_health_never_is()
    {
        var anonymous = api.Anonymous();
        // The topic discovery routes draw on the same bucket of the address.
        foreach (var path in new[] { "/v1/intent/topics?limit=1", "/v1/intent/topics/facets", "/v1/intent/topics/search?q=crm" })
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(HttpMethod.Get, path)).Response.StatusCode);
        }

        var (limited, body) = await anonymous.SendAsync(HttpMethod.Get, "/v1/intent/topics/movers");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("RATE_LIMITED", body.ErrorCode());
        Assert.True(limited.Headers.Contains("Retry-After"));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(HttpMethod.Get, "/health/live")).Response.StatusCode);
        }

        // An organization's token is not limited by its address's anonymous traffic.
        var (caller, _, _) = await api.CallerAsync();
        Assert.Equal(HttpStatusCode.OK, (await caller.SendAsync(HttpMethod.Get, "/v1/intent/topics?limit=1")).Response.StatusCode);
    }

    [Fact]
    public async Task Queueing_runs_has_a_stricter_limit_than_reading()
    {
        var (client, _, _) = await api.CallerAsync();
        var topics = await api.TopicsAsync(1);
        var (created, createdBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "limited", config = new { topicIds = topics } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audience = createdBody.Data().GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs", new { })).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs", new { })).Response.StatusCode);
        var (limited, body) = await client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs", new { });

        // Four requests in all: within the organization's limit of 4, beyond the expensive limit of 2.
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("RATE_LIMITED", body.ErrorCode());
    }

    [Fact]
    public async Task An_organization_has_at_most_its_cap_of_CSV_downloads_open_at_once()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false, apiSettings: new Dictionary<string, string?>
        {
            ["RateLimits:CsvStreamsPerOrganization"] = "1",
        });
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } });
        var runId = await world.CompletedRunOfEveryoneAsync(audience, 3000);
        var csv = new Uri($"/v1/intent/audiences/{audience}/runs/{runId}/export.csv", UriKind.Relative);

        // The first download is open and unread: its stream waits on the client, holding its slot.
        var open = await world.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, csv), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);

        using (var second = await world.Client.GetAsync(csv))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        }

        var (other, _) = await world.NewCallerAsync("other");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await other.GetAsync(csv)).StatusCode);

        var full = await open.Content.ReadAsStringAsync();
        open.Dispose();
        Assert.Equal(3001, full.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        using var third = await world.Client.GetAsync(csv);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }
}
