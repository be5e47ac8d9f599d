using System.Security.Cryptography;
using System.Text;

namespace Intent.Data.Organizations;

/// <summary>Makes and recognizes tokens. Only hashes are stored; a token is shown once, when created.</summary>
public static class Tokens
{
    public const string ApiKeyPrefix = "sk_";
    public const string DashboardPrefix = "dt_";
    private const int DisplayLength = 10;

    /// <summary>A new random token of <paramref name="kind"/> and the row that stores it.</summary>
    public static (string Token, ApiToken Row) Create(Guid organizationId, TokenKind kind, DateTime now)
    {
        var prefix = kind == TokenKind.ApiKey ? ApiKeyPrefix : DashboardPrefix;
        var token = prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, new ApiToken
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Kind = kind,
            TokenHash = Hash(token),
            DisplayPrefix = token[..DisplayLength],
            CreatedAt = now,
        });
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
