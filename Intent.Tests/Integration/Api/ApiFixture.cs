using Intent.Data.Catalog;
using Intent.Data.Organizations;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Api;

/// <summary>One in-process API on the real services for a test class, and ways to make callers and catalog rows.</summary>
public class ApiFixture : IAsyncLifetime, IDisposable
{
    /// <summary>The API host's token cache: a revoked token is refused at most this long after its revocation.</summary>
    public static readonly TimeSpan TokenCacheTtl = TimeSpan.FromSeconds(1);

    private readonly IntentHostFactory<Intent.Api.Program> _factory;

    public ApiFixture()
        : this(null)
    {
    }

    /// <summary>An API with these settings (e.g. <c>RateLimits:PerOrganizationPerMinute</c>) over the defaults of the test hosts.</summary>
    protected ApiFixture(IReadOnlyDictionary<string, string?>? settings)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Auth:TokenCacheTtl"] = TokenCacheTtl.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
        _factory = new IntentHostFactory<Intent.Api.Program>(all);
    }

    public IntentDatabaseFixture Database { get; } = new();

    public HttpClient Anonymous() => _factory.CreateClient();

    /// <summary>Every route the API maps.</summary>
    public IReadOnlyList<RouteEndpoint> Endpoints() =>
        [.. _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    /// <summary>A new organization and a client that sends its dashboard token (or API key).</summary>
    public async Task<(HttpClient Client, Guid OrganizationId, string Token)> CallerAsync(TokenKind kind = TokenKind.Dashboard)
    {
        await using var db = Database.CreateDbContext();
        var (organizationId, token) = await TestData.OrganizationAsync(db, $"org-{Guid.NewGuid():N}", kind);
        var client = _factory.CreateClient();
        TestData.Authenticate(client, token, kind);
        return (client, organizationId, token);
    }

    /// <summary>Topics with fresh ids, so tests never collide.</summary>
    public async Task<int[]> TopicsAsync(params (string Name, TopicType Type, string Industry, string Category)[] topics)
    {
        await using var db = Database.CreateDbContext();
        var first = Random.Shared.Next(1_000_000, 2_000_000_000 - topics.Length);
        var rows = topics.Select((t, i) => new Topic { TopicId = first + i, TopicName = t.Name, Type = t.Type, Industry = t.Industry, Category = t.Category }).ToList();
        db.Topics.AddRange(rows);
        await db.SaveChangesAsync();
        return rows.Select(r => r.TopicId).ToArray();
    }

    public async Task<int[]> TopicsAsync(int count) =>
        await TopicsAsync(Enumerable.Range(0, count).Select(i => ($"Topic {Guid.NewGuid():N}", TopicType.B2b, "Software", "Tools")).ToArray());

    public async Task InitializeAsync() => await Database.InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _factory.Dispose();
        }
    }
}
