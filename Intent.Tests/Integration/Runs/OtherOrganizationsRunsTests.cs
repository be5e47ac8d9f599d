using System.Net;
using Intent.Tests.Integration.Api;

namespace Intent.Tests.Integration.Runs;

/// <summary>Another organization's run is not there: every run route answers it as it answers a run that does not exist.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class OtherOrganizationsRunsTests
{
    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 20 };

    [Fact]
    public async Task Another_organizations_token_gets_404_for_a_completed_runs_results_stats_csv_and_exports_and_creates_no_export()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());
        var (stranger, _) = await world.NewCallerAsync("stranger");
        var strangersAudience = await AudienceOfAsync(stranger);

        foreach (var (method, route) in new[]
                 {
                     (HttpMethod.Get, "/results"), (HttpMethod.Get, "/results?limit=5&offset=10"), (HttpMethod.Get, "/stats"),
                     (HttpMethod.Get, "/export.csv"), (HttpMethod.Post, "/exports"),
                 })
        {
            await AssertLikeAMissingRunAsync(world, stranger, method, audience, strangersAudience, runId, route);
        }

        Assert.Equal(0L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_exports"));

        // The owner reaches the same routes: the 404s above are the caller's organization, not the run.
        foreach (var route in new[] { "/results", "/stats", "/export.csv" })
        {
            using var response = await world.Client.GetAsync(new Uri($"/v1/intent/audiences/{audience}/runs/{runId}{route}", UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}: {response.StatusCode}");
        }

        var (export, _) = await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs/{runId}/exports");
        Assert.True(export.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"owner's export: {export.StatusCode}");
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_exports"));
    }

    [Fact]
    public async Task Another_organizations_token_gets_404_for_a_queued_run_and_cannot_cancel_it()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var (stranger, _) = await world.NewCallerAsync("stranger");
        var strangersAudience = await AudienceOfAsync(stranger);
        var before = await RowAsync(world, runId);

        foreach (var (method, route) in new[] { (HttpMethod.Delete, ""), (HttpMethod.Get, "/results"), (HttpMethod.Post, "/exports") })
        {
            await AssertLikeAMissingRunAsync(world, stranger, method, audience, strangersAudience, runId, route);
        }

        Assert.Equal(before, await RowAsync(world, runId));
        Assert.StartsWith("queued|", before, StringComparison.Ordinal);
        Assert.Equal(0L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_exports"));

        var (cancel, cancelled) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.Data().GetProperty("status").GetString());
    }

    /// <summary>
    /// The stranger's request on the run, through the run's audience and through an audience of its own, answers exactly
    /// what the same route answers for a run id that does not exist.
    /// </summary>
    private static async Task AssertLikeAMissingRunAsync(
        RunsWorld world, HttpClient stranger, HttpMethod method, Guid audience, Guid strangersAudience, Guid runId, string route)
    {
        var (missingResponse, missing) = await world.Client.SendAsync(method, $"/v1/intent/audiences/{audience}/runs/{Guid.NewGuid()}{route}");
        Assert.Equal(HttpStatusCode.NotFound, missingResponse.StatusCode);
        Assert.Equal("NOT_FOUND", missing.ErrorCode());

        foreach (var through in new[] { audience, strangersAudience })
        {
            var path = $"/v1/intent/audiences/{through}/runs/{runId}{route}";
            var (response, body) = await stranger.SendAsync(method, path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode}");
            Assert.Equal(missing.GetProperty("error").ToString(), body.GetProperty("error").ToString());
            Assert.Equal(missingResponse.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.MediaType);
        }
    }

    private static async Task<Guid> AudienceOfAsync(HttpClient client)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "theirs", status = "active", config = Config });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return body.Data().GetProperty("id").GetGuid();
    }

    private static Task<string> RowAsync(RunsWorld world, Guid runId) =>
        world.Database.ScalarAsync<string>(
            $"SELECT concat_ws('|', status, attempts, cancelled_at, next_attempt_at, updated_at) FROM audience_runs WHERE id = '{runId}'");
}
