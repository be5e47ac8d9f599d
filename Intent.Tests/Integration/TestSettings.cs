namespace Intent.Tests.Integration;

/// <summary>
/// Where the real services are. <c>./intent test</c> sets these to a fresh test database;
/// the defaults match the local services <c>./intent up</c> starts.
/// </summary>
public static class TestSettings
{
    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("ConnectionStrings__Intent")
        ?? "Host=127.0.0.1;Port=5432;Database=intent_test;Username=intent;Password=intent";

    public static string RabbitMqHost { get; } = Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1";

    public static string RabbitMqPort { get; } = Environment.GetEnvironmentVariable("RabbitMq__Port") ?? "5672";
}
