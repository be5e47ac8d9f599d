using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Organizations;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> organization)
    {
        organization.ToTable("organizations", t => t.HasCheckConstraint("ck_organizations_audience_slots", "audience_slots >= 0"));
        organization.HasKey(o => o.Id);
        organization.Property(o => o.Name).HasMaxLength(255);
        organization.HasIndex(o => o.Name).IsUnique();
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> token)
    {
        token.ToTable("api_tokens", t => t.HasCheckConstraint("ck_api_tokens_kind", "kind IN ('dashboard', 'api_key')"));
        token.HasKey(t => t.Id);
        token.Property(t => t.Kind).HasConversion(new SnakeCaseEnumConverter<TokenKind>()).HasMaxLength(16);
        token.HasIndex(t => t.TokenHash).IsUnique();
        token.Property(t => t.DisplayPrefix).HasMaxLength(16);
        token.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
