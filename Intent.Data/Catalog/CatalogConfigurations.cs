using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Catalog;

internal sealed class TopicConfiguration : IEntityTypeConfiguration<Topic>
{
    public void Configure(EntityTypeBuilder<Topic> topic)
    {
        topic.ToTable("topics", t => t.HasCheckConstraint("ck_topics_type", "type IN ('b2b', 'b2c')"));
        topic.HasKey(t => t.TopicId);
        topic.Property(t => t.TopicId).ValueGeneratedNever();
        topic.Property(t => t.TopicName).HasMaxLength(255);
        topic.Property(t => t.Type).HasConversion(new SnakeCaseEnumConverter<TopicType>()).HasMaxLength(8);
        topic.Property(t => t.Industry).HasMaxLength(255);
        topic.Property(t => t.Category).HasMaxLength(255);
        topic.HasIndex(t => new { t.Type, t.Industry, t.Category });
        topic.Property<string>(TopicSearch.NameProperty).HasComputedColumnSql(TopicSearch.NameSql, stored: true);
    }
}

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> person)
    {
        person.ToTable("people");
        person.HasKey(p => p.PersonId);
        person.Property(p => p.PersonId).ValueGeneratedNever();
        person.HasIndex(p => p.HashedEmail).IsUnique();
    }
}

internal sealed class DataDateConfiguration : IEntityTypeConfiguration<DataDate>
{
    public void Configure(EntityTypeBuilder<DataDate> date)
    {
        date.ToTable("data_dates");
        date.HasKey(d => d.Date);
        date.Property(d => d.Date).HasColumnName("data_date");
    }
}
