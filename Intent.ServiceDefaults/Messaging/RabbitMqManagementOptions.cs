namespace Intent.ServiceDefaults.Messaging;

/// <summary>
/// Where the RabbitMQ management HTTP API answers (<see cref="RabbitMqOptions.Management"/>, e.g.
/// <c>RabbitMq__Management__Url</c>). The worker reads queue depths from it for its health and metrics;
/// <c>./intent errors</c> lists and replays error queues through it.
/// </summary>
public sealed class RabbitMqManagementOptions
{
    /// <summary>Where a local broker's management API answers.</summary>
    public const string DefaultUrl = "http://127.0.0.1:15672";

    /// <summary>The management API's base address; empty: error queues are not watched.</summary>
    public string? Url { get; set; } = DefaultUrl;

    /// <summary>Management user; unset: the broker user (<c>RabbitMq:Username</c>).</summary>
    public string? Username { get; set; }

    /// <summary>Management password; unset: the broker password (<c>RabbitMq:Password</c>).</summary>
    public string? Password { get; set; }
}
