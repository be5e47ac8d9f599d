using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Exports;

/// <summary>
/// Signed, expiring download links of stored exports:
/// <c>/v1/intent/exports/{id}/download?expires={unix seconds}&amp;signature={HMAC-SHA256 of "id:expires", base64url}</c>.
/// </summary>
public sealed class DownloadUrls(IOptions<ExportOptions> options, TimeProvider clock)
{
    public sealed record Link(string PathAndQuery, DateTime ExpiresAt, int TtlSeconds);

    public static string PathOf(Guid exportId) => $"/v1/intent/exports/{exportId}/download";

    public Link Create(Guid exportId)
    {
        var ttl = options.Value.DownloadUrlTtl;
        var expires = clock.GetUtcNow().Add(ttl).ToUnixTimeSeconds();
        var query = $"expires={expires.ToString(CultureInfo.InvariantCulture)}&signature={Sign(exportId, expires)}";
        return new Link($"{PathOf(exportId)}?{query}", DateTimeOffset.FromUnixTimeSeconds(expires).UtcDateTime, (int)ttl.TotalSeconds);
    }

    /// <summary>The link as users reach it from outside (emails).</summary>
    public Uri Absolute(Link link) => new(options.Value.PublicBaseUrl, link.PathAndQuery);

    /// <summary>Whether <paramref name="signature"/> is ours for this export and time, and the time has not passed.</summary>
    public bool IsValid(Guid exportId, long expires, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || expires < clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(exportId, expires));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private string Sign(Guid exportId, long expires)
    {
        var mac = HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(options.Value.SigningKey),
            Encoding.UTF8.GetBytes($"{exportId:D}:{expires.ToString(CultureInfo.InvariantCulture)}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
