using Intent.Data;
using Intent.Tests.Integration.Messaging.Support;
using Microsoft.EntityFrameworkCore;

namespace Intent.Tests.Integration;

/// <summary>Brings the test database to the latest migration once per test run.</summary>
public sealed class IntentDatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; } = TestSettings.ConnectionString;

    public IntentDbContext CreateDbContext() =>
        new(IntentDataExtensions.CreateOptions(ConnectionString));

    public async Task InitializeAsync()
    {
        await using (var db = CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        await using var messaging = MessagingDatabase.Open();
        await messaging.Database.MigrateAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
