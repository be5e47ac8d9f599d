using System.Security.Cryptography;

namespace Intent.Tests.Integration;

/// <summary>
/// Where the real services are. <c>./intent test</c> sets these to a fresh test database and
/// RabbitMQ virtual host; the defaults match the local services <c>./intent up</c> starts.
/// </summary>
public static class TestSettings
{
    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("ConnectionStrings__Intent")
        ?? "Host=127.0.0.1;Port=5432;Database=intent_test;Username=intent;Password=intent";

    public static string RabbitMqHost { get; } = Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1";

    public static string RabbitMqPort { get; } = Environment.GetEnvironmentVariable("RabbitMq__Port") ?? "5672";

    public static string RabbitMqVirtualHost { get; } = Environment.GetEnvironmentVariable("RabbitMq__VirtualHost") ?? "intent-test";

    public static string RabbitMqUsername { get; } = Environment.GetEnvironmentVariable("RabbitMq__Username") ?? "guest";

    public static string RabbitMqPassword { get; } = Environment.GetEnvironmentVariable("RabbitMq__Password") ?? "guest";

    public static string RabbitMqManagementUrl { get; } =
        Environment.GetEnvironmentVariable("INTENT_RABBITMQ_MANAGEMENT_URL") ?? "http://127.0.0.1:15672";

    /// <summary>A command that runs <c>rabbitmqctl</c> against the test broker; <c>./intent test</c> provides it.</summary>
    public static string? RabbitMqCtl { get; } = Environment.GetEnvironmentVariable("INTENT_RABBITMQCTL");

    /// <summary>The secret of the download links the test hosts sign and check: new for every test run, never a fixed key.</summary>
    public static string ExportsSigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>The export store every test host of this test run shares.</summary>
    public static string ExportsDirectory { get; } = Path.Combine(Path.GetTempPath(), $"intent-test-exports-{Environment.ProcessId}");

    /// <summary>The S3-compatible server <c>./intent test</c> starts (s3rver); its credentials are s3rver's fixed pair.</summary>
    public static string S3Url { get; } = Environment.GetEnvironmentVariable("INTENT_S3_URL") ?? "http://127.0.0.1:4568";
}
