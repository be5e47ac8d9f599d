using System.Security.Cryptography;
using System.Text;

namespace Intent.Pipeline.Exports;

/// <summary>
/// Signing keys that have appeared in Intent's repository (a compose default, a test key), kept as SHA-256
/// hashes. Anyone can read the repository, so links signed with one of them prove nothing: the hosts refuse them.
/// </summary>
public static class PublishedSigningKeys
{
    private static readonly HashSet<string> Hashes = new(StringComparer.Ordinal)
    {
        "2bc96a280659396d111f347ef601a88e8a6174cacc1e6c4b9a3d91e5a9f2684a", // docker-compose.yml's former default
        "be7f6bbe04971e1a85ca08efd0f46ab75e2e815c2dce4e85732b856661eee2a7", // the test suite's former fixed key
    };

    /// <summary>Whether <paramref name="key"/> is one of the keys the repository has published.</summary>
    public static bool Contains(string key) => Hashes.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
}
