using System.Security.Cryptography;
using Npgsql;

namespace Intent.Tests.Integration;

/// <summary>
/// Where the real services are: the <c>./intent</c> script's own environment variables
/// (<c>INTENT_PG_PORT</c>, <c>INTENT_PG_TEST_DATABASE</c>, <c>INTENT_RABBITMQ_TEST_VHOST</c>, ...) with its defaults,
/// so <c>dotnet test</c> alone finds what <c>./intent test</c> starts. The services are on 127.0.0.1, as the script runs them.
/// </summary>
public static class TestSettings
{
    private const string Localhost = "127.0.0.1";

    public static string ConnectionString { get; } = new NpgsqlConnectionStringBuilder
    {
        Host = Localhost,
        Port = int.Parse(Setting("INTENT_PG_PORT", "5432"), System.Globalization.CultureInfo.InvariantCulture),
        Database = Setting("INTENT_PG_TEST_DATABASE", "intent_test"),
        Username = Setting("INTENT_PG_USER", "intent"),
        Password = Setting("INTENT_PG_PASSWORD", "intent"),
    }.ConnectionString;

    public static string RabbitMqHost => Localhost;

    public static string RabbitMqPort { get; } = Setting("INTENT_RABBITMQ_PORT", "5672");

    public static string RabbitMqVirtualHost { get; } = Setting("INTENT_RABBITMQ_TEST_VHOST", "intent-test");

    public static string RabbitMqUsername { get; } = Setting("INTENT_RABBITMQ_USER", "guest");

    public static string RabbitMqPassword { get; } = Setting("INTENT_RABBITMQ_PASSWORD", "guest");

    public static string RabbitMqManagementUrl { get; } = $"http://{Localhost}:{Setting("INTENT_RABBITMQ_MANAGEMENT_PORT", "15672")}";

    /// <summary>The test virtual host as the hosts' and the CLI's <c>RabbitMq</c> settings name it.</summary>
    public static Intent.ServiceDefaults.Messaging.RabbitMqOptions RabbitMq => new()
    {
        Host = RabbitMqHost,
        Port = ushort.Parse(RabbitMqPort, System.Globalization.CultureInfo.InvariantCulture),
        VirtualHost = RabbitMqVirtualHost,
        Username = RabbitMqUsername,
        Password = RabbitMqPassword,
        Management = new() { Url = RabbitMqManagementUrl },
    };

    /// <summary>A PostgreSQL connection string nothing answers: a database that cannot be reached.</summary>
    public const string UnreachableDatabase = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=2";

    /// <summary>The secret of the download links the test hosts sign and check: new for every test run, never a fixed key.</summary>
    public static string ExportsSigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>The export store every test host of this test run shares.</summary>
    public static string ExportsDirectory { get; } = Path.Combine(Path.GetTempPath(), $"intent-test-exports-{Environment.ProcessId}");

    /// <summary>The S3-compatible server <c>./intent test</c> starts (s3rver); its credentials are s3rver's fixed pair.</summary>
    public static string S3Url { get; } = $"http://{Localhost}:{Setting("INTENT_S3_PORT", "4568")}";

    /// <summary>
    /// The log of every host the tests start (their expected errors would drown the test results on the console):
    /// <c>logs/test-hosts.log</c> in the state directory of <c>./intent</c> (<c>INTENT_STATE_DIR</c>, default <c>.intent</c>
    /// in the repository), written anew by each test run.
    /// </summary>
    public static string HostLogFile { get; } = Path.Combine(StateDirectory(), "logs", "test-hosts.log");

    private static string Setting(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    private static string StateDirectory()
    {
        if (Environment.GetEnvironmentVariable("INTENT_STATE_DIR") is { Length: > 0 } state)
        {
            return Path.GetFullPath(state);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Intent.sln")))
            {
                return Path.Combine(directory.FullName, ".intent");
            }
        }

        return Path.Combine(Path.GetTempPath(), "intent-test");
    }
}
