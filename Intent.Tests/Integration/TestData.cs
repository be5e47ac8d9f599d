using System.Net.Http.Headers;
using Intent.Data;
using Intent.Data.Catalog;
using Intent.Data.Organizations;

namespace Intent.Tests.Integration;

/// <summary>Rows tests need in whatever database they use.</summary>
public static class TestData
{
    /// <summary>A new organization with one token; returns the token as a client would send it.</summary>
    public static async Task<(Guid OrganizationId, string Token)> OrganizationAsync(IntentDbContext db, string name, TokenKind kind = TokenKind.Dashboard)
    {
        var organization = new Organization { Id = Guid.NewGuid(), Name = name, CreatedAt = DateTime.UtcNow };
        var (token, row) = Tokens.Create(organization.Id, kind, DateTime.UtcNow);
        db.Organizations.Add(organization);
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync();
        return (organization.Id, token);
    }

    /// <summary>Sends <paramref name="token"/> the way its kind is sent.</summary>
    public static void Authenticate(HttpClient client, string token, TokenKind kind)
    {
        if (kind == TokenKind.ApiKey)
        {
            client.DefaultRequestHeaders.Add("x-api-key", token);
        }
        else
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>Topic 1 alone: enough catalog for an audience when no intent data is loaded.</summary>
    public static async Task TopicOneAsync(IntentDbContext db)
    {
        db.Topics.Add(new Topic { TopicId = 1, TopicName = "CRM", Type = TopicType.B2b, Industry = "Software", Category = "Sales" });
        await db.SaveChangesAsync();
    }
}
