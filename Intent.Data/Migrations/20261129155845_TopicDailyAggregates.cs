using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class TopicDailyAggregates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "search_name",
                table: "topics",
                type: "text",
                nullable: true,
                computedColumnSql: "' ' || btrim(regexp_replace(lower(topic_name), '[^[:alnum:]]+', ' ', 'g')) || ' '",
                stored: true);

            migrationBuilder.CreateTable(
                name: "topic_daily_aggregates",
                columns: table => new
                {
                    data_date = table.Column<DateOnly>(type: "date", nullable: false),
                    topic_id = table.Column<int>(type: "integer", nullable: false),
                    unique_audience = table.Column<int>(type: "integer", nullable: false),
                    score_sum = table.Column<long>(type: "bigint", nullable: false),
                    high_audience = table.Column<int>(type: "integer", nullable: false),
                    medium_audience = table.Column<int>(type: "integer", nullable: false),
                    low_audience = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_topic_daily_aggregates", x => new { x.data_date, x.topic_id });
                    table.CheckConstraint("ck_topic_daily_aggregates_bands", "unique_audience > 0 AND high_audience >= 0 AND medium_audience >= 0 AND low_audience >= 0 AND high_audience + medium_audience + low_audience = unique_audience");
                    table.ForeignKey(
                        name: "fk_topic_daily_aggregates_data_dates_data_date",
                        column: x => x.data_date,
                        principalTable: "data_dates",
                        principalColumn: "data_date",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_topic_daily_aggregates_topics_topic_id",
                        column: x => x.topic_id,
                        principalTable: "topics",
                        principalColumn: "topic_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_topic_daily_aggregates_topic_id_data_date",
                table: "topic_daily_aggregates",
                columns: new[] { "topic_id", "data_date" });

            // Days loaded before this migration get their aggregates here, as a load writes them (TopicDailyAggregates):
            // high from 70, medium from 50, low below.
            migrationBuilder.Sql("""
                INSERT INTO topic_daily_aggregates (data_date, topic_id, unique_audience, score_sum, high_audience, medium_audience, low_audience)
                SELECT a.data_date, a.topic_id, a.audience, a.score_sum, a.high, a.medium, a.low
                FROM (
                    SELECT data_date, topic_id, count(*) AS audience, sum(score) AS score_sum,
                           count(*) FILTER (WHERE score >= 70) AS high,
                           count(*) FILTER (WHERE score >= 50 AND score < 70) AS medium,
                           count(*) FILTER (WHERE score < 50) AS low
                    FROM intent_scores
                    GROUP BY data_date, topic_id
                ) a
                WHERE EXISTS (SELECT 1 FROM data_dates d WHERE d.data_date = a.data_date)
                  AND EXISTS (SELECT 1 FROM topics t WHERE t.topic_id = a.topic_id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "topic_daily_aggregates");

            migrationBuilder.DropColumn(
                name: "search_name",
                table: "topics");
        }
    }
}
