using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;

namespace Intent.Data;

/// <summary>The one database context of Intent; every table lives in its migration history.</summary>
public sealed class IntentDbContext(DbContextOptions<IntentDbContext> options) : DbContext(options)
{
    public DbSet<Organizations.Organization> Organizations => Set<Organizations.Organization>();

    public DbSet<Organizations.ApiToken> ApiTokens => Set<Organizations.ApiToken>();

    public DbSet<Catalog.Topic> Topics => Set<Catalog.Topic>();

    public DbSet<Catalog.Person> People => Set<Catalog.Person>();

    public DbSet<Catalog.DataDate> DataDates => Set<Catalog.DataDate>();

    public DbSet<Audiences.Audience> Audiences => Set<Audiences.Audience>();

    public DbSet<Runs.AudienceRun> AudienceRuns => Set<Runs.AudienceRun>();

    public DbSet<Runs.AudienceSnapshot> AudienceSnapshots => Set<Runs.AudienceSnapshot>();

    public DbSet<Runs.DailyRunDate> DailyRunDates => Set<Runs.DailyRunDate>();

    public DbSet<Exports.AudienceExport> AudienceExports => Set<Exports.AudienceExport>();

    public DbSet<Webhooks.Webhook> Webhooks => Set<Webhooks.Webhook>();

    public DbSet<Webhooks.WebhookEvent> WebhookEvents => Set<Webhooks.WebhookEvent>();

    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();

    public DbSet<Webhooks.WebhookDueDelivery> WebhookDueDeliveries => Set<Webhooks.WebhookDueDelivery>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddPostgresOutboxEntities();
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(IntentDbContext).Assembly);
    }
}
