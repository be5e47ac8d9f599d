using System.Globalization;
using Intent.Pipeline.Exports;
using Microsoft.Extensions.Options;

namespace Intent.Tests.Unit;

public sealed class DownloadUrlsTests
{
    private static readonly Guid Export = Guid.Parse("01a224e2-6cc9-72b7-bf9e-7d6a06ad24ad");

    [Fact]
    public void A_link_is_valid_for_its_export_until_it_expires()
    {
        var now = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        var link = Urls("k".PadRight(32, 'k'), now).Create(Export);
        var (expires, signature) = Parse(link.PathAndQuery);

        Assert.StartsWith($"/v1/intent/exports/{Export}/download?expires=", link.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(3600, link.TtlSeconds);
        Assert.Equal(now.AddHours(1).UtcDateTime, link.ExpiresAt);
        Assert.True(Urls("k".PadRight(32, 'k'), now.AddMinutes(59)).IsValid(Export, expires, signature));
        Assert.False(Urls("k".PadRight(32, 'k'), now.AddMinutes(61)).IsValid(Export, expires, signature), "expired");
        Assert.False(Urls("k".PadRight(32, 'k'), now).IsValid(Guid.NewGuid(), expires, signature), "another export");
        Assert.False(Urls("k".PadRight(32, 'k'), now).IsValid(Export, expires + 60, signature), "a later expiry");
        Assert.False(Urls("o".PadRight(32, 'o'), now).IsValid(Export, expires, signature), "another key");
        Assert.False(Urls("k".PadRight(32, 'k'), now).IsValid(Export, expires, null), "no signature");
    }

    private static DownloadUrls Urls(string key, DateTimeOffset now) =>
        new(Options.Create(new ExportOptions { SigningKey = key }), new FixedClock(now));

    private static (long Expires, string Signature) Parse(string pathAndQuery)
    {
        var query = pathAndQuery[(pathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&')
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return (long.Parse(query["expires"], CultureInfo.InvariantCulture), query["signature"]);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
