using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;

namespace Intent.Data;

/// <summary>The one database context of Intent; every table lives in its migration history.</summary>
public sealed class IntentDbContext(DbContextOptions<IntentDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddPostgresOutboxEntities();
    }
}
