using Intent.Data.Audiences;
using Intent.Data.Organizations;
using Intent.Data.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Exports;

internal sealed class AudienceExportConfiguration : IEntityTypeConfiguration<AudienceExport>
{
    public void Configure(EntityTypeBuilder<AudienceExport> export)
    {
        export.ToTable("audience_exports", t =>
        {
            t.HasCheckConstraint("ck_audience_exports_status", "status IN ('processing', 'completed', 'failed')");
            t.HasCheckConstraint("ck_audience_exports_type", "export_type IN ('csv')");
        });
        export.HasKey(e => e.Id);
        export.Property(e => e.ExportType).HasMaxLength(16);
        export.Property(e => e.Status).HasMaxLength(16);
        export.Property(e => e.ContentType).HasMaxLength(100);
        export.Property(e => e.ContentSha256).HasMaxLength(64).IsFixedLength();
        export.Property(e => e.StorageProvider).HasMaxLength(16);
        export.Property(e => e.StorageKey).HasMaxLength(512);
        export.Property(e => e.ErrorCode).HasMaxLength(64);
        export.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        export.HasOne<Audience>().WithMany().HasForeignKey(e => e.AudienceId).OnDelete(DeleteBehavior.Cascade);
        export.HasOne<AudienceRun>().WithMany().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);

        // "Create or reuse": one stored export per run and type.
        export.HasIndex(e => new { e.RunId, e.ExportType }).IsUnique().HasDatabaseName("ux_audience_exports_run_type");
    }
}
