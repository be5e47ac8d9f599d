using System.Diagnostics;
using System.Globalization;
using System.Net;
using Intent.Cli;
using Intent.Data.Organizations;
using Intent.Tests.Integration.Api;
using Microsoft.EntityFrameworkCore;

namespace Intent.Tests.Integration.Tenancy;

/// <summary>Token expiry, the API's token cache and the operator's token commands, on the real PostgreSQL.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class TokenTests(IntentDatabaseFixture database) : IDisposable
{
    private static readonly TimeSpan ShortTtl = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    private readonly List<IDisposable> _hosts = [];

    [Fact]
    public async Task A_token_revoked_with_the_cli_is_refused_no_later_than_the_cache_ttl()
    {
        var api = Api(ShortTtl);
        var (organization, token) = await CreateTokenAsync();
        var client = Client(api, token);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));

        var (code, output, _) = await CliAsync("revoke", token[..10]);
        var revoked = Stopwatch.StartNew();
        Assert.Equal(0, code);
        Assert.Contains($"revoked token {token[..10]} of {organization}", output, StringComparison.Ordinal);

        while (await StatusAsync(client) != HttpStatusCode.Unauthorized)
        {
            Assert.True(revoked.Elapsed <= ShortTtl + Margin, $"the revoked token still worked {revoked.Elapsed} after its revocation");
            await Task.Delay(50);
        }

        Assert.True(revoked.Elapsed <= ShortTtl + Margin, $"the revoked token was refused only {revoked.Elapsed} after its revocation");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client));
    }

    [Fact]
    public async Task Within_the_ttl_a_token_lookup_is_reused_instead_of_asking_the_database()
    {
        var api = Api(TimeSpan.FromHours(1));
        var (_, token) = await CreateTokenAsync();
        var client = Client(api, token);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));

        await RevokeInDatabaseAsync(token);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));
        var uncached = Client(Api(TimeSpan.Zero), token);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(uncached));
    }

    [Fact]
    public async Task An_expired_token_answers_401_even_while_its_lookup_is_cached()
    {
        var api = Api(TimeSpan.FromHours(1));
        var (code, output, _) = await CliAsync("create", "--org", $"tokens-{Guid.NewGuid():N}", "--expires-in", "3s");
        Assert.Equal(0, code);
        var token = output.Trim().Split('\n')[^1].Trim();
        Assert.Contains("expires ", output, StringComparison.Ordinal);
        var client = Client(api, token);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));

        await using (var db = database.CreateDbContext())
        {
            var hash = Tokens.Hash(token);
            var expiresAt = await db.ApiTokens.Where(t => t.TokenHash == hash).Select(t => t.ExpiresAt).SingleAsync();
            Assert.NotNull(expiresAt);
            Assert.InRange(expiresAt.Value - DateTime.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            await Task.Delay(expiresAt.Value - DateTime.UtcNow + TimeSpan.FromMilliseconds(100));
        }

        var (response, body) = await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", body.ErrorCode());

        var (_, expired) = await CreateTokenAsync(expiresAt: DateTime.UtcNow.AddMinutes(-1));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Client(Api(TimeSpan.Zero), expired)));
    }

    [Fact]
    public async Task Token_list_shows_every_token_of_the_organization_and_revoke_marks_one()
    {
        var organization = $"tokens-{Guid.NewGuid():N}";
        var (_, created, _) = await CliAsync("create", "--org", organization);
        var dashboard = created.Trim().Split('\n')[^1].Trim();
        var (_, createdKey, _) = await CliAsync("create", "--org", organization, "--kind", "api-key", "--expires-in", "30d");
        var apiKey = createdKey.Trim().Split('\n')[^1].Trim();

        var (code, list, _) = await CliAsync("list", "--org", organization);
        Assert.Equal(0, code);
        var lines = list.Trim().Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Matches("^PREFIX +KIND +CREATED +LAST USED +EXPIRES +REVOKED$", lines[0]);
        var dashboardLine = Assert.Single(lines, l => l.StartsWith(dashboard[..10], StringComparison.Ordinal));
        Assert.Matches(@"dashboard +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +never +never +-$", dashboardLine);
        var keyLine = Assert.Single(lines, l => l.StartsWith(apiKey[..10], StringComparison.Ordinal));
        var expires = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Contains("api-key", keyLine, StringComparison.Ordinal);
        Assert.Contains(expires, keyLine, StringComparison.Ordinal);

        Assert.Equal(0, (await CliAsync("revoke", apiKey[..10])).Code);
        var (_, after, _) = await CliAsync("list", "--org", organization);
        Assert.Matches(@" \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", after.Trim().Split('\n').Single(l => l.StartsWith(apiKey[..10], StringComparison.Ordinal)).TrimEnd());
        Assert.EndsWith("-", after.Trim().Split('\n').Single(l => l.StartsWith(dashboard[..10], StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
        var (again, againOutput, _) = await CliAsync("revoke", apiKey[..10]);
        Assert.Equal(0, again);
        Assert.Contains("already revoked", againOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_commands_refuse_unknown_prefixes_and_organizations_and_bad_durations()
    {
        var (code, _, error) = await CliAsync("revoke", "dt_nothere");
        Assert.Equal(1, code);
        Assert.Contains("no token with prefix 'dt_nothere'", error, StringComparison.Ordinal);

        (code, _, error) = await CliAsync("list", "--org", $"missing-{Guid.NewGuid():N}");
        Assert.Equal(1, code);
        Assert.Contains("no organization named", error, StringComparison.Ordinal);

        (code, _, error) = await CliAsync("create", "--org", "x", "--expires-in", "soon");
        Assert.Equal(2, code);
        Assert.Contains("--expires-in", error, StringComparison.Ordinal);

        Assert.Equal(2, (await CliAsync("revoke")).Code);
        Assert.Equal(2, (await CliAsync("rotate")).Code);
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
    }

    private IntentHostFactory<global::Intent.Api.Program> Api(TimeSpan tokenCacheTtl)
    {
        var host = new IntentHostFactory<global::Intent.Api.Program>(new Dictionary<string, string?>
        {
            ["Auth:TokenCacheTtl"] = tokenCacheTtl.ToString("c", CultureInfo.InvariantCulture),
        });
        _hosts.Add(host);
        return host;
    }

    private static HttpClient Client(IntentHostFactory<global::Intent.Api.Program> api, string token)
    {
        var client = api.CreateClient();
        TestData.Authenticate(client, token, token.StartsWith(Tokens.ApiKeyPrefix, StringComparison.Ordinal) ? TokenKind.ApiKey : TokenKind.Dashboard);
        return client;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client) =>
        (await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences")).Response.StatusCode;

    private async Task<(string Organization, string Token)> CreateTokenAsync(DateTime? expiresAt = null)
    {
        await using var db = database.CreateDbContext();
        var name = $"tokens-{Guid.NewGuid():N}";
        var (organizationId, token) = await TestData.OrganizationAsync(db, name);
        if (expiresAt is not null)
        {
            await db.ApiTokens.Where(t => t.OrganizationId == organizationId).ExecuteUpdateAsync(t => t.SetProperty(x => x.ExpiresAt, expiresAt));
        }

        return (name, token);
    }

    private async Task RevokeInDatabaseAsync(string token)
    {
        await using var db = database.CreateDbContext();
        var hash = Tokens.Hash(token);
        Assert.Equal(1, await db.ApiTokens.Where(t => t.TokenHash == hash).ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, DateTime.UtcNow)));
    }

    private async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await TokenCommands.RunAsync(database.ConnectionString, args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
