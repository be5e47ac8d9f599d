using Intent.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intent.Tests.Integration;

/// <summary>A migrated database of its own for one test, dropped afterwards: for tests that load whole catalogs.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private ScratchDatabase(string name, string connectionString, string admin)
    {
        Name = name;
        ConnectionString = connectionString;
        _admin = admin;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(TestSettings.ConnectionString);
        var name = $"{builder.Database}_scratch_{Guid.NewGuid():N}"[..40];
        builder.Database = name;
        var admin = new NpgsqlConnectionStringBuilder(TestSettings.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"");
        var database = new ScratchDatabase(name, builder.ConnectionString, admin);
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public IntentDbContext CreateDbContext() => new(IntentDataExtensions.CreateOptions(ConnectionString));

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs SQL (one or more statements, no parameters) against this database.</summary>
    public Task ExecuteAsync(string sql) => ExecuteAsync(ConnectionString, sql);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_admin, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
