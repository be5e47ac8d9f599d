using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookDueDeliveries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhook_due_deliveries",
                columns: table => new
                {
                    delivery_id = table.Column<Guid>(type: "uuid", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    claimed_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_due_deliveries", x => x.delivery_id);
                    table.ForeignKey(
                        name: "fk_webhook_due_deliveries_webhook_deliveries_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "webhook_deliveries",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                })
                .Annotation("Npgsql:StorageParameter:fillfactor", 50);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_due_deliveries_next_attempt_at",
                table: "webhook_due_deliveries",
                column: "next_attempt_at");

            // Every pending delivery gets its timer and lease; the partial index and the lease leave the log's rows.
            migrationBuilder.Sql("""
                INSERT INTO webhook_due_deliveries (delivery_id, next_attempt_at, claimed_until)
                SELECT id, coalesce(next_attempt_at, updated_at), claimed_until FROM webhook_deliveries WHERE status = 'pending';
                """);

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_due",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "claimed_until",
                table: "webhook_deliveries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "claimed_until",
                table: "webhook_deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.Sql("""
                UPDATE webhook_deliveries d SET claimed_until = q.claimed_until, next_attempt_at = q.next_attempt_at
                FROM webhook_due_deliveries q WHERE q.delivery_id = d.id;
                """);

            migrationBuilder.DropTable(
                name: "webhook_due_deliveries");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_due",
                table: "webhook_deliveries",
                column: "next_attempt_at",
                filter: "status = 'pending'");
        }
    }
}
