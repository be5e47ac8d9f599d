using Intent.Data.Organizations;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Intent.Api.Auth;

/// <summary>
/// Token lookups of this process, each kept for <see cref="AuthOptions.TokenCacheTtl"/>, at most
/// <see cref="AuthOptions.TokenCacheSize"/> of them. Keys are token hashes, never tokens.
/// </summary>
public sealed class TokenCache(IOptions<AuthOptions> options) : IDisposable
{
    private readonly TimeSpan _ttl = options.Value.TokenCacheTtl;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.TokenCacheSize });

    /// <summary>The cached token of this hash and kind, or <see cref="KnownToken.Unknown"/>; <c>null</c> when the cache has no answer.</summary>
    public KnownToken? Get(byte[] hash, TokenKind kind) =>
        _ttl > TimeSpan.Zero && _cache.TryGetValue(Key(hash, kind), out KnownToken? token) ? token : null;

    public void Set(byte[] hash, TokenKind kind, KnownToken token)
    {
        if (_ttl <= TimeSpan.Zero)
        {
            return;
        }

        // When full, unknown tokens (someone guessing) go first, so they cannot push real callers out.
        _cache.Set(Key(hash, kind), token, new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = _ttl,
            Size = 1,
            Priority = token == KnownToken.Unknown ? CacheItemPriority.Low : CacheItemPriority.Normal,
        });
    }

    /// <summary>How many lookups are held now.</summary>
    public int Count => _cache.Count;

    public void Dispose() => _cache.Dispose();

    private static string Key(byte[] hash, TokenKind kind) => (kind == TokenKind.ApiKey ? "k:" : "d:") + Convert.ToBase64String(hash);
}
