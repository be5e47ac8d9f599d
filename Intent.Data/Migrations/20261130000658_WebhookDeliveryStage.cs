using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookDeliveryStage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "webhook_due_deliveries",
                type: "integer",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_webhook_due_deliveries_attempts",
                table: "webhook_due_deliveries",
                sql: "attempts >= 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_webhook_due_deliveries_attempts",
                table: "webhook_due_deliveries");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "webhook_due_deliveries");
        }
    }
}
