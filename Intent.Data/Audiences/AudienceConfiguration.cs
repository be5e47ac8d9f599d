using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Audiences;

internal sealed class AudienceConfiguration : IEntityTypeConfiguration<Audience>
{
    public void Configure(EntityTypeBuilder<Audience> audience)
    {
        audience.ToTable("audiences", t =>
        {
            t.HasCheckConstraint("ck_audiences_status", "status IN ('draft', 'active', 'paused')");
            t.HasCheckConstraint("ck_audiences_name", "char_length(name) BETWEEN 1 AND 255");
            t.HasCheckConstraint("ck_audiences_ready_email_recipients", "cardinality(ready_email_recipients) <= 10");
        });
        audience.HasKey(a => a.Id);
        audience.Property(a => a.Name).HasMaxLength(255);
        audience.Property(a => a.Status).HasConversion(new SnakeCaseEnumConverter<AudienceStatus>()).HasMaxLength(16);
        audience.Property(a => a.Config).HasColumnType("jsonb");
        audience.Property(a => a.ConfigHash).HasMaxLength(64).IsFixedLength();
        audience.Property(a => a.ReadyEmailRecipients).HasDefaultValueSql("'{}'::text[]");
        audience.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        audience.HasIndex(a => new { a.OrganizationId, a.CreatedAt });

        // The slot trigger counts an organization's active audiences under its lock (AudienceSlots).
        audience.HasIndex(a => a.OrganizationId, "ix_audiences_active_organization_id").HasFilter("status = 'active'")
            .HasDatabaseName("ix_audiences_active_organization_id");
    }
}
