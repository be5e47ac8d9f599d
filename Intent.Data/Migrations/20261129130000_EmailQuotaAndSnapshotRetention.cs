using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class EmailQuotaAndSnapshotRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "email_quota_usage",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    sent = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_quota_usage", x => new { x.organization_id, x.day });
                    table.CheckConstraint("ck_email_quota_usage_sent", "sent >= 0");
                    table.ForeignKey(
                        name: "fk_email_quota_usage_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "export_file_removals",
                columns: table => new
                {
                    storage_key = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    storage_provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    remove_after = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_export_file_removals", x => x.storage_key);
                    table.CheckConstraint("ck_export_file_removals_reason", "reason IN ('deleted', 'replaced', 'unfinished')");
                });

            migrationBuilder.CreateIndex(
                name: "ix_audience_snapshots_created_at",
                table: "audience_snapshots",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_audience_runs_result_key",
                table: "audience_runs",
                column: "result_key");

            migrationBuilder.CreateIndex(
                name: "ix_export_file_removals_remove_after",
                table: "export_file_removals",
                column: "remove_after");

            // A stored file whose export row goes away or stops naming it is queued for removal in the
            // same transaction, however the row changed (audience, run or organization deleted, expiry, rewrite).
            migrationBuilder.Sql("""
                CREATE FUNCTION queue_export_file_removal() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' OR NEW.storage_key IS DISTINCT FROM OLD.storage_key THEN
                        INSERT INTO export_file_removals (storage_key, storage_provider, remove_after, reason)
                        VALUES (OLD.storage_key, coalesce(OLD.storage_provider, 'local'), now(),
                                CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'replaced' END)
                        ON CONFLICT (storage_key) DO UPDATE SET remove_after = now(), reason = EXCLUDED.reason;
                    END IF;
                    RETURN NULL;
                END
                $$;

                CREATE TRIGGER audience_exports_queue_file_removal
                AFTER DELETE OR UPDATE OF storage_key ON audience_exports
                FOR EACH ROW WHEN (OLD.storage_key IS NOT NULL)
                EXECUTE FUNCTION queue_export_file_removal();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER audience_exports_queue_file_removal ON audience_exports;
                DROP FUNCTION queue_export_file_removal();
                """);

            migrationBuilder.DropTable(
                name: "email_quota_usage");

            migrationBuilder.DropTable(
                name: "export_file_removals");

            migrationBuilder.DropIndex(
                name: "ix_audience_snapshots_created_at",
                table: "audience_snapshots");

            migrationBuilder.DropIndex(
                name: "ix_audience_runs_result_key",
                table: "audience_runs");
        }
    }
}
