using Intent.Data;
using Intent.Tests.Integration.Messaging.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intent.Tests.Integration;

/// <summary>
/// Readies the real services once per test run: creates the test database and RabbitMQ virtual host when they do not
/// exist, and brings the database to the latest migration.
/// </summary>
public sealed class IntentDatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; } = TestSettings.ConnectionString;

    public IntentDbContext CreateDbContext() =>
        new(IntentDataExtensions.CreateOptions(ConnectionString));

    public async Task InitializeAsync()
    {
        await CreateDatabaseIfMissingAsync();
        await RabbitMqControl.EnsureVirtualHostAsync();

        await using (var db = CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        await using var messaging = MessagingDatabase.Open();
        await messaging.Database.MigrateAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task CreateDatabaseIfMissingAsync()
    {
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", connection);
        exists.Parameters.AddWithValue("name", name);
        if ((bool)(await exists.ExecuteScalarAsync())!)
        {
            return;
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await create.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
        }
    }
}
