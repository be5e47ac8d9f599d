using System.Net;
using Intent.Pipeline.Webhooks;

namespace Intent.Tests.Unit.Webhooks;

public sealed class WebhookTargetsTests
{
    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c")]
    [InlineData("2002:5db8:d70e::1")]
    [InlineData("::ffff:93.184.215.14")]
    public void Public_addresses_may_be_reached(string address) => Assert.True(WebhookTargets.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.100.100.200")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("198.18.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fc00::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:0:4136:e378::1")]
    public void Loopback_private_link_local_metadata_and_reserved_addresses_may_not(string address) =>
        Assert.False(WebhookTargets.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://93.184.215.14/hooks?x=1", true, null)]
    [InlineData("http://93.184.215.14/hooks", true, "must be an https URL")]
    [InlineData("http://127.0.0.1:9/hooks", false, null)]
    [InlineData("https://10.0.0.1/hooks", true, WebhookTargets.Refused)]
    [InlineData("https://[::1]:8443/", true, WebhookTargets.Refused)]
    [InlineData("https://user:pw@93.184.215.14/", true, "must name a host and hold no user name or password")]
    [InlineData("", true, "is required")]
    public async Task Urls_are_checked_for_scheme_credentials_and_address(string url, bool publicOnly, string? problem)
    {
        var (checkedUrl, found) = await WebhookTargets.CheckAsync(url, allowPrivate: !publicOnly, CancellationToken.None);

        Assert.Equal(problem, found);
        Assert.Equal(problem is null, checkedUrl is not null);
    }

    [Fact]
    public async Task A_host_name_longer_than_dns_allows_is_refused_not_thrown()
    {
        var url = $"https://{string.Join('.', Enumerable.Repeat(new string('a', 60), 5))}/hooks";

        var (checkedUrl, problem) = await WebhookTargets.CheckAsync(url, allowPrivate: false, CancellationToken.None);

        Assert.Null(checkedUrl);
        Assert.Equal("has a host name that could not be resolved", problem);
    }
}
