using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>
/// A DbContext of the tests' own (schema <c>messaging_tests</c>, its own migrations) that proves the
/// messaging library works for any application's context, not just Intent's.
/// </summary>
public sealed class MessagingTestDbContext(DbContextOptions<MessagingTestDbContext> options) : DbContext(options)
{
    public const string Schema = "messaging_tests";

    public DbSet<TestEffect> Effects => Set<TestEffect>();

    public DbSet<CounterState> Counters => Set<CounterState>();

    public static DbContextOptions<MessagingTestDbContext> CreateOptions(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<MessagingTestDbContext>();
        Configure(builder, connectionString);
        return builder.Options;
    }

    public static void Configure(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", Schema));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.AddPostgresOutboxEntities(Schema);

        modelBuilder.Entity<TestEffect>(effect =>
        {
            effect.ToTable("test_effect");
            effect.HasKey(e => e.Id);
            effect.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            effect.Property(e => e.MessageId).HasColumnName("message_id");
            effect.Property(e => e.Consumer).HasColumnName("consumer");
            effect.Property(e => e.Group).HasColumnName("group_key");
            effect.Property(e => e.Sequence).HasColumnName("sequence");
            effect.Property(e => e.Header).HasColumnName("header");
            effect.Property(e => e.ContentType).HasColumnName("content_type");
            effect.Property(e => e.DestinationAddress).HasColumnName("destination_address");
            effect.HasIndex(e => e.MessageId);
        });

        modelBuilder.Entity<CounterState>(counter =>
        {
            counter.ToTable("counter_state");
            counter.HasKey(c => c.CorrelationId);
            counter.Property(c => c.CorrelationId).HasColumnName("correlation_id");
            counter.Property(c => c.CurrentState).HasColumnName("current_state");
            counter.Property(c => c.Count).HasColumnName("count");
        });
    }
}
