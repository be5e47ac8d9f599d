using System.Net;
using Intent.Cli;
using Intent.Data.Audiences;
using Intent.Data.Catalog;
using Intent.Data.Organizations;
using Intent.Tests.Integration.Api;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intent.Tests.Integration.Tenancy;

/// <summary>Active-audience slots, through the in-process API on the real PostgreSQL, with a default of <see cref="DefaultSlots"/>.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class AudienceSlotsTests(IntentDatabaseFixture database) : IDisposable
{
    private const int DefaultSlots = 3;

    private readonly IntentHostFactory<global::Intent.Api.Program> _api = new(new Dictionary<string, string?>
    {
        ["Audiences:DefaultSlots"] = DefaultSlots.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    [Fact]
    public async Task Twenty_concurrent_activations_for_the_last_free_slot_give_one_200_and_nineteen_SLOTS_FULL()
    {
        var (client, organizationId, _) = await CallerAsync();
        var topic = await TopicAsync();
        for (var i = 0; i < DefaultSlots - 1; i++)
        {
            await CreateAsync(client, topic, $"active {i}", "active", HttpStatusCode.Created);
        }

        var drafts = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            drafts.Add(await CreateAsync(client, topic, $"draft {i}", "draft", HttpStatusCode.Created));
        }

        // The drafts' rows stay locked until all 20 UPDATEs wait on them, so they reach the slot check together.
        await using var gate = new NpgsqlConnection(database.ConnectionString);
        await gate.OpenAsync();
        await using var hold = await gate.BeginTransactionAsync();
        await using (var lockDrafts = new NpgsqlCommand("SELECT id FROM audiences WHERE id = ANY(@ids) FOR UPDATE", gate, hold))
        {
            lockDrafts.Parameters.AddWithValue("ids", drafts.ToArray());
            await lockDrafts.ExecuteNonQueryAsync();
        }

        var patches = drafts.Select(id => client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{id}", new { status = "active" })).ToList();
        await Eventually.MatchAsync(WaitingUpdatesAsync, waiting => waiting == drafts.Count, because: "every activation to wait at the gate");
        await hold.CommitAsync();
        var results = await Task.WhenAll(patches);

        Assert.Single(results, r => r.Response.StatusCode == HttpStatusCode.OK);
        var refused = results.Where(r => r.Response.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(19, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.Response.StatusCode);
            Assert.Equal("SLOTS_FULL", r.Body.ErrorCode());
            Assert.Equal($"All {DefaultSlots} active-audience slots of your organization are in use; pause or delete an active audience first.",
                r.Body.GetProperty("error").GetProperty("message").GetString());
        });
        Assert.Equal(DefaultSlots, await ActiveCountAsync(organizationId));
    }

    [Fact]
    public async Task Creating_an_active_audience_beyond_the_slots_answers_403_and_stores_nothing()
    {
        var (client, organizationId, _) = await CallerAsync();
        var topic = await TopicAsync();
        for (var i = 0; i < DefaultSlots; i++)
        {
            await CreateAsync(client, topic, $"active {i}", "active", HttpStatusCode.Created);
        }

        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "one too many", status = "active", config = new { topicIds = new[] { topic } } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("SLOTS_FULL", body.ErrorCode());
        Assert.DoesNotContain("organization " + organizationId, body.ToString(), StringComparison.Ordinal);
        await using var db = database.CreateDbContext();
        Assert.False(await db.Audiences.AnyAsync(a => a.OrganizationId == organizationId && a.Name == "one too many"));
        Assert.Equal(DefaultSlots, await ActiveCountAsync(organizationId));

        // Drafts and paused audiences take no slot.
        await CreateAsync(client, topic, "a draft", "draft", HttpStatusCode.Created);
        await CreateAsync(client, topic, "a paused one", "paused", HttpStatusCode.Created);
    }

    [Fact]
    public async Task Pausing_or_deleting_an_active_audience_frees_its_slot()
    {
        var (client, organizationId, _) = await CallerAsync();
        var topic = await TopicAsync();
        var active = new List<Guid>();
        for (var i = 0; i < DefaultSlots; i++)
        {
            active.Add(await CreateAsync(client, topic, $"active {i}", "active", HttpStatusCode.Created));
        }

        var waiting = await CreateAsync(client, topic, "waiting", "paused", HttpStatusCode.Created);
        Assert.Equal("SLOTS_FULL", (await client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{waiting}", new { status = "active" })).Body.ErrorCode());

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{active[0]}", new { status = "paused" })).Response.StatusCode);
        var (activated, body) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{waiting}", new { status = "active" });
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.Equal("active", body.Data().GetProperty("status").GetString());
        await CreateAsync(client, topic, "refused", "active", HttpStatusCode.Forbidden);

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{active[1]}")).Response.StatusCode);
        await CreateAsync(client, topic, "after a delete", "active", HttpStatusCode.Created);
        Assert.Equal(DefaultSlots, await ActiveCountAsync(organizationId));
    }

    [Fact]
    public async Task Active_audiences_change_freely_while_every_slot_is_in_use()
    {
        var (client, _, _) = await CallerAsync();
        var topic = await TopicAsync();
        var active = new List<Guid>();
        for (var i = 0; i < DefaultSlots; i++)
        {
            active.Add(await CreateAsync(client, topic, $"active {i}", "active", HttpStatusCode.Created));
        }

        var (renamed, _) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{active[0]}",
            new { name = "renamed", status = "active", config = new { topicIds = new[] { topic }, minScore = 80 } });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
    }

    [Fact]
    public async Task Org_set_gives_an_organization_its_own_slots_and_default_returns_it_to_the_setting()
    {
        var (client, organizationId, name) = await CallerAsync();
        var topic = await TopicAsync();

        Assert.Equal(0, await OrgAsync("set", "--org", name, "--slots", "1"));
        await CreateAsync(client, topic, "first", "active", HttpStatusCode.Created);
        var (refused, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "second", status = "active", config = new { topicIds = new[] { topic } } });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("All 1 active-audience slots of your organization are in use; pause or delete an active audience first.",
            body.GetProperty("error").GetProperty("message").GetString());

        Assert.Equal(0, await OrgAsync("set", "--org", name, "--slots", "5"));
        for (var i = 0; i < 4; i++)
        {
            await CreateAsync(client, topic, $"more {i}", "active", HttpStatusCode.Created);
        }

        await CreateAsync(client, topic, "sixth", "active", HttpStatusCode.Forbidden);
        Assert.Equal(5, await ActiveCountAsync(organizationId));

        Assert.Equal(0, await OrgAsync("set", "--org", name, "--slots", "default"));
        await using (var db = database.CreateDbContext())
        {
            Assert.Null(await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.AudienceSlots).SingleAsync());
        }

        var paused = await CreateAsync(client, topic, "paused", "paused", HttpStatusCode.Created);
        Assert.Equal("SLOTS_FULL", (await client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{paused}", new { status = "active" })).Body.ErrorCode());

        Assert.Equal(1, await OrgAsync("set", "--org", $"missing-{Guid.NewGuid():N}", "--slots", "2"));
        Assert.Equal(2, await OrgAsync("set", "--org", name, "--slots", "-1"));
        Assert.Equal(2, await OrgAsync("set", "--org", name, "--slots", "many"));
        Assert.Equal(2, await OrgAsync("set", "--org", name));
    }

    public void Dispose() => _api.Dispose();

    private async Task<(HttpClient Client, Guid OrganizationId, string Name)> CallerAsync()
    {
        await using var db = database.CreateDbContext();
        var name = $"slots-{Guid.NewGuid():N}";
        var (organizationId, token) = await TestData.OrganizationAsync(db, name);
        var client = _api.CreateClient();
        TestData.Authenticate(client, token, TokenKind.Dashboard);
        return (client, organizationId, name);
    }

    private async Task<int> TopicAsync()
    {
        await using var db = database.CreateDbContext();
        var topic = new Topic { TopicId = Random.Shared.Next(1_000_000, 2_000_000_000), TopicName = $"Topic {Guid.NewGuid():N}", Type = TopicType.B2b, Industry = "Software", Category = "Tools" };
        db.Topics.Add(topic);
        await db.SaveChangesAsync();
        return topic.TopicId;
    }

    private static async Task<Guid> CreateAsync(HttpClient client, int topic, string name, string status, HttpStatusCode expected)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name, status, config = new { topicIds = new[] { topic } } });
        Assert.True(response.StatusCode == expected, $"{name}: {response.StatusCode} {body}");
        return expected == HttpStatusCode.Created ? body.Data().GetProperty("id").GetGuid() : Guid.Empty;
    }

    private async Task<int> ActiveCountAsync(Guid organizationId)
    {
        await using var db = database.CreateDbContext();
        return await db.Audiences.CountAsync(a => a.OrganizationId == organizationId && a.Status == AudienceStatus.Active);
    }

    private async Task<long> WaitingUpdatesAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE audiences%'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<int> OrgAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        return await OrganizationCommands.RunAsync(database.ConnectionString, args, output, error);
    }
}
