namespace Intent.ServiceDefaults.Messaging;

/// <summary>Where the RabbitMQ broker is (configuration section <c>RabbitMq</c>, e.g. <c>RabbitMq__Host</c>).</summary>
public sealed class RabbitMqOptions
{
    public const string SectionName = "RabbitMq";

    public string Host { get; set; } = "127.0.0.1";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";

    /// <summary>The broker's management HTTP API (<c>RabbitMq__Management__Url</c>, <c>__Username</c>, <c>__Password</c>).</summary>
    public RabbitMqManagementOptions Management { get; set; } = new();
}
