using Microsoft.EntityFrameworkCore.Design;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>Lets <c>dotnet ef</c> add migrations for the test context.</summary>
public sealed class DesignTimeMessagingTestDbContextFactory : IDesignTimeDbContextFactory<MessagingTestDbContext>
{
    public MessagingTestDbContext CreateDbContext(string[] args) => new(MessagingTestDbContext.CreateOptions(TestSettings.ConnectionString));
}
