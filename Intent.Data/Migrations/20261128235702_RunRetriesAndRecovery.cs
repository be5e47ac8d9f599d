using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class RunRetriesAndRecovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "heartbeat_at",
                table: "audience_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "daily_run_dates",
                columns: table => new
                {
                    data_date = table.Column<DateOnly>(type: "date", nullable: false),
                    queued_count = table.Column<long>(type: "bigint", nullable: false),
                    skipped_count = table.Column<long>(type: "bigint", nullable: false),
                    queued_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_run_dates", x => x.data_date);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audience_runs_retry_due",
                table: "audience_runs",
                column: "next_attempt_at",
                filter: "status = 'queued' AND next_attempt_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_audience_runs_running_heartbeat",
                table: "audience_runs",
                column: "heartbeat_at",
                filter: "status = 'running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "daily_run_dates");

            migrationBuilder.DropIndex(
                name: "ix_audience_runs_retry_due",
                table: "audience_runs");

            migrationBuilder.DropIndex(
                name: "ix_audience_runs_running_heartbeat",
                table: "audience_runs");

            migrationBuilder.DropColumn(
                name: "heartbeat_at",
                table: "audience_runs");
        }
    }
}
