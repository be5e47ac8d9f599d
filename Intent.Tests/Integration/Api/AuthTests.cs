using System.Net;
using System.Net.Http.Headers;
using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Intent.Tests.Integration.Api;

[Collection(IntegrationGroup.Name)]
public sealed class AuthTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Audiences_without_a_token_answer_401_in_the_envelope()
    {
        var (response, body) = await api.Anonymous().SendAsync(HttpMethod.Get, "/v1/intent/audiences");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", body.ErrorCode());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("meta").GetProperty("request_id").GetString()));
    }

    [Fact]
    public async Task An_unknown_token_answers_401()
    {
        var client = api.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "dt_not-a-real-token");

        var (response, body) = await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", body.ErrorCode());
    }

    [Fact]
    public async Task A_revoked_token_answers_401()
    {
        var (client, _, token) = await api.CallerAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences")).Response.StatusCode);

        await using (var db = api.Database.CreateDbContext())
        {
            var hash = Tokens.Hash(token);
            await db.ApiTokens.Where(t => t.TokenHash == hash).ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, DateTime.UtcNow));
        }

        // The API may reuse the token's lookup for the cache TTL, no longer.
        var (response, body) = await Eventually.MatchAsync(() => client.SendAsync(HttpMethod.Get, "/v1/intent/audiences"),
            r => r.Response.StatusCode == HttpStatusCode.Unauthorized, ApiFixture.TokenCacheTtl + TimeSpan.FromSeconds(2), "the revoked token to be refused");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", body.ErrorCode());
    }

    [Fact]
    public async Task An_api_key_works_as_x_api_key_and_records_its_last_use_but_not_as_a_bearer_token()
    {
        var (client, _, token) = await api.CallerAsync(TokenKind.ApiKey);
        Assert.StartsWith("sk_", token, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences")).Response.StatusCode);
        await using (var db = api.Database.CreateDbContext())
        {
            var hash = Tokens.Hash(token);
            var row = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.TokenHash == hash);
            Assert.NotNull(row.LastUsedAt);
            Assert.Equal(token[..10], row.DisplayPrefix);
        }

        var bearer = api.Anonymous();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.SendAsync(HttpMethod.Get, "/v1/intent/audiences")).Response.StatusCode);
    }

    [Fact]
    public async Task Topics_need_no_token()
    {
        var (response, _) = await api.Anonymous().SendAsync(HttpMethod.Get, "/v1/intent/topics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
