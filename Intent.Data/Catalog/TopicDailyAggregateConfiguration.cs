using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Catalog;

internal sealed class TopicDailyAggregateConfiguration : IEntityTypeConfiguration<TopicDailyAggregate>
{
    public void Configure(EntityTypeBuilder<TopicDailyAggregate> aggregate)
    {
        aggregate.ToTable("topic_daily_aggregates", t => t.HasCheckConstraint(
            "ck_topic_daily_aggregates_bands",
            "unique_audience > 0 AND high_audience >= 0 AND medium_audience >= 0 AND low_audience >= 0 AND high_audience + medium_audience + low_audience = unique_audience"));
        aggregate.HasKey(a => new { a.DataDate, a.TopicId });
        // Trend and compare read one topic's days.
        aggregate.HasIndex(a => new { a.TopicId, a.DataDate });
        aggregate.HasOne<DataDate>().WithMany().HasForeignKey(a => a.DataDate).OnDelete(DeleteBehavior.Cascade);
        aggregate.HasOne<Topic>().WithMany().HasForeignKey(a => a.TopicId).OnDelete(DeleteBehavior.Cascade);
    }
}
