using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookDeliveryLoop : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "claimed_until",
                table: "webhook_deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "webhook_deliveries",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AlterTable(
                name: "webhook_deliveries")
                .Annotation("Npgsql:StorageParameter:fillfactor", 50);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_due",
                table: "webhook_deliveries",
                column: "next_attempt_at",
                filter: "status = 'pending'");

            // The delivery row is now its own timer: the Quartz retry timers of deliveries go, and a pending
            // delivery without a due time is due now.
            migrationBuilder.Sql("""
                DELETE FROM qrtz_fired_triggers WHERE trigger_group = 'webhook-retries';
                DELETE FROM qrtz_triggers WHERE trigger_group = 'webhook-retries';
                DELETE FROM qrtz_job_details WHERE job_group = 'webhook-retries';
                UPDATE webhook_deliveries SET next_attempt_at = updated_at WHERE status = 'pending' AND next_attempt_at IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "webhook_deliveries")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 50);

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_due",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "claimed_until",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "webhook_deliveries");
        }
    }
}
