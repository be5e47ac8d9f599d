using Microsoft.EntityFrameworkCore.Design;

namespace Intent.Data;

/// <summary>Lets <c>dotnet ef</c> build the context without starting a host.</summary>
public sealed class DesignTimeIntentDbContextFactory : IDesignTimeDbContextFactory<IntentDbContext>
{
    public IntentDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable($"ConnectionStrings__{IntentDataExtensions.ConnectionStringName}")
            ?? "Host=127.0.0.1;Port=5432;Database=intent;Username=intent;Password=intent";
        return new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
    }
}
