namespace Intent.Api.Auth;

/// <summary>Token checking (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// How long this process reuses a token lookup, found or not; a revocation takes effect at most this
    /// long after it is committed. <c>00:00:00</c> looks every token up on every request.
    /// </summary>
    public TimeSpan TokenCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many lookups the cache holds at most; when full, lookups of unknown tokens are evicted first.</summary>
    public int TokenCacheSize { get; set; } = 10_000;
}
