using System.Security.Cryptography;
using System.Text;

namespace Intent.Data.Runs;

/// <summary>The content address of a snapshot: equal organization, config and data date, equal key.</summary>
public static class ResultKeys
{
    public static string For(Guid organizationId, string configHash, DateOnly dataDate) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{organizationId:D}|{configHash}|{dataDate:yyyy-MM-dd}")));

    /// <summary>
    /// The same key computed by PostgreSQL from three SQL expressions (a uuid, a text, a date), for
    /// statements that create runs set-based; a test holds it equal to <see cref="For"/>.
    /// </summary>
    public static string Sql(string organizationId, string configHash, string dataDate) =>
        $"encode(sha256(convert_to({organizationId}::text || '|' || {configHash} || '|' || to_char({dataDate}, 'YYYY-MM-DD'), 'UTF8')), 'hex')";
}
