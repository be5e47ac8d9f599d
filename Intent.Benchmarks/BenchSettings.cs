using RabbitMQ.Client;

namespace Intent.Benchmarks;

/// <summary>Where the benchmark's services are, from the environment <c>./intent bench</c> sets.</summary>
public sealed record BenchSettings(string ConnectionString, string RabbitHost, ushort RabbitPort, string VirtualHost, string Username, string Password)
{
    public static BenchSettings FromEnvironment() => new(
        Environment.GetEnvironmentVariable("ConnectionStrings__Intent")
            ?? "Host=127.0.0.1;Port=5432;Database=intent_bench;Username=intent;Password=intent",
        Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1",
        ushort.Parse(Environment.GetEnvironmentVariable("RabbitMq__Port") ?? "5672", System.Globalization.CultureInfo.InvariantCulture),
        Environment.GetEnvironmentVariable("RabbitMq__VirtualHost") ?? "intent-bench",
        Environment.GetEnvironmentVariable("RabbitMq__Username") ?? "guest",
        Environment.GetEnvironmentVariable("RabbitMq__Password") ?? "guest");

    /// <summary>A raw RabbitMQ.Client connection to the benchmark's virtual host.</summary>
    public Task<IConnection> RabbitConnectionAsync() =>
        new ConnectionFactory
        {
            HostName = RabbitHost, Port = RabbitPort, VirtualHost = VirtualHost, UserName = Username, Password = Password,
        }.CreateConnectionAsync();
}
