using System.Security.Cryptography;
using Intent.Api.Auth;
using Intent.Data.Organizations;
using Microsoft.Extensions.Options;

namespace Intent.Tests.Unit;

public sealed class TokenCacheTests
{
    [Fact]
    public void Guessed_tokens_never_grow_the_cache_past_its_size()
    {
        using var cache = new TokenCache(Options.Create(new AuthOptions { TokenCacheSize = 100 }));
        for (var i = 0; i < 5_000; i++)
        {
            cache.Set(RandomNumberGenerator.GetBytes(32), TokenKind.Dashboard, KnownToken.Unknown);
            Assert.InRange(cache.Count, 0, 100);
        }
    }

    [Fact]
    public void A_lookup_is_kept_per_hash_and_kind_and_not_at_all_with_a_zero_ttl()
    {
        var hash = RandomNumberGenerator.GetBytes(32);
        var token = new KnownToken(Guid.NewGuid(), Guid.NewGuid(), null, null);
        using var cache = new TokenCache(Options.Create(new AuthOptions()));
        cache.Set(hash, TokenKind.Dashboard, token);
        Assert.Same(token, cache.Get(hash, TokenKind.Dashboard));
        Assert.Null(cache.Get(hash, TokenKind.ApiKey));

        using var off = new TokenCache(Options.Create(new AuthOptions { TokenCacheTtl = TimeSpan.Zero }));
        off.Set(hash, TokenKind.Dashboard, token);
        Assert.Null(off.Get(hash, TokenKind.Dashboard));
    }

    [Fact]
    public void A_use_is_recorded_once_per_resolution()
    {
        var now = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        var token = new KnownToken(Guid.NewGuid(), Guid.NewGuid(), null, now.AddMinutes(-5));
        Assert.True(token.TryMarkUsed(now, TimeSpan.FromMinutes(1)));
        Assert.False(token.TryMarkUsed(now.AddSeconds(59), TimeSpan.FromMinutes(1)));
        Assert.True(token.TryMarkUsed(now.AddSeconds(61), TimeSpan.FromMinutes(1)));
    }
}
