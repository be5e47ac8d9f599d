using Intent.Data.Audiences;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Intent.Data;

/// <summary>Registration of the Intent database for the hosts.</summary>
public static class IntentDataExtensions
{
    /// <summary>The name of the connection string in configuration (<c>ConnectionStrings__Intent</c>).</summary>
    public const string ConnectionStringName = "Intent";

    /// <summary>
    /// Registers <see cref="IntentDbContext"/> on PostgreSQL and a readiness check that fails
    /// while the database cannot be reached. Every session carries <c>Audiences:DefaultSlots</c> to
    /// the database, where the slot trigger reads it (<see cref="AudienceSlots"/>).
    /// </summary>
    public static IHostApplicationBuilder AddIntentData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AudienceSlotOptions>().BindConfiguration(AudienceSlotOptions.SectionName)
            .Validate(o => o.DefaultSlots >= 0, "Audiences:DefaultSlots must be 0 or more")
            .ValidateOnStart();
        builder.Services.AddDbContextPool<IntentDbContext>((services, options) =>
            options.UseIntentPostgres(AudienceSlots.WithDefaultSlots(
                TunedForHosts(services.GetRequiredService<IConfiguration>().GetIntentConnectionString()),
                services.GetRequiredService<IOptions<AudienceSlotOptions>>().Value.DefaultSlots)));
        builder.Services.AddHealthChecks()
            .AddDbContextCheck<IntentDbContext>("postgresql", tags: ["ready"]);
        return builder;
    }

    /// <summary>The Intent connection string, or a clear error naming the setting when it is missing.</summary>
    public static string GetIntentConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                $"Connection string '{ConnectionStringName}' is not configured (set ConnectionStrings__{ConnectionStringName}).");

    /// <summary>
    /// The hosts' connection string, tuned for many short requests unless the configured string says
    /// otherwise: server-side prepared statements for what runs again and again (Npgsql auto-prepare),
    /// so the database parses and plans each statement once per connection rather than once per
    /// request; and no session reset when a pooled connection is reused, since the hosts leave no
    /// session state behind (settings they change are transaction-local).
    /// </summary>
    public static string TunedForHosts(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 3;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>Options for an <see cref="IntentDbContext"/> made outside dependency injection (tools, tests).</summary>
    public static DbContextOptions<IntentDbContext> CreateOptions(string connectionString)
    {
        var options = new DbContextOptionsBuilder<IntentDbContext>();
        options.UseIntentPostgres(connectionString);
        return options.Options;
    }

    /// <summary>The provider settings every Intent context uses, at run time and at design time.</summary>
    public static DbContextOptionsBuilder UseIntentPostgres(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();
}
