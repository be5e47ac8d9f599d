using System.Security.Cryptography;
using System.Text;

namespace Intent.Data.Runs;

/// <summary>The content address of a snapshot: equal organization, config and data date, equal key.</summary>
public static class ResultKeys
{
    public static string For(Guid organizationId, string configHash, DateOnly dataDate) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{organizationId:D}|{configHash}|{dataDate:yyyy-MM-dd}")));
}
