using Intent.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;

namespace Intent.Tests.Unit.Messaging;

/// <summary>One set of RabbitMQ settings, management API included, for the worker and the CLI alike.</summary>
public sealed class RabbitMqOptionsTests
{
    [Fact]
    public void The_management_settings_bind_under_the_broker_section()
    {
        var options = Bind(new()
        {
            ["RabbitMq:Username"] = "broker",
            ["RabbitMq:Management:Url"] = "http://management.example:15672",
            ["RabbitMq:Management:Username"] = "watcher",
            ["RabbitMq:Management:Password"] = "secret",
        });

        Assert.Equal("broker", options.Username);
        Assert.Equal("http://management.example:15672", options.Management.Url);
        Assert.Equal("watcher", options.Management.Username);
        Assert.Equal("secret", options.Management.Password);
    }

    [Fact]
    public void Unset_the_management_api_is_the_local_brokers_and_its_login_the_brokers()
    {
        var options = Bind([]);

        Assert.Equal(RabbitMqManagementOptions.DefaultUrl, options.Management.Url);
        Assert.Null(options.Management.Username);
        Assert.Null(options.Management.Password);
    }

    [Fact]
    public void An_empty_url_turns_the_management_api_off()
    {
        var options = Bind(new() { ["RabbitMq:Management:Url"] = "" });

        Assert.True(string.IsNullOrEmpty(options.Management.Url));
    }

    private static RabbitMqOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>()
        ?? new RabbitMqOptions();
}
