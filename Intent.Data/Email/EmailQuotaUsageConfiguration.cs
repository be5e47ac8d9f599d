using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Email;

internal sealed class EmailQuotaUsageConfiguration : IEntityTypeConfiguration<EmailQuotaUsage>
{
    public void Configure(EntityTypeBuilder<EmailQuotaUsage> usage)
    {
        usage.ToTable("email_quota_usage", t => t.HasCheckConstraint("ck_email_quota_usage_sent", "sent >= 0"));
        usage.HasKey(u => new { u.OrganizationId, u.Day });
        usage.HasOne<Organization>().WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
