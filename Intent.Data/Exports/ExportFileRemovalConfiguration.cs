using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Exports;

internal sealed class ExportFileRemovalConfiguration : IEntityTypeConfiguration<ExportFileRemoval>
{
    public void Configure(EntityTypeBuilder<ExportFileRemoval> removal)
    {
        removal.ToTable("export_file_removals", t =>
            t.HasCheckConstraint("ck_export_file_removals_reason", "reason IN ('deleted', 'replaced', 'unfinished')"));
        removal.HasKey(r => r.StorageKey);
        removal.Property(r => r.StorageKey).HasMaxLength(512);
        removal.Property(r => r.StorageProvider).HasMaxLength(16);
        removal.Property(r => r.Reason).HasMaxLength(16);
        removal.HasIndex(r => r.RemoveAfter);
    }
}
