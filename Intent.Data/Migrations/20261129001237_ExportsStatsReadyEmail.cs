using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExportsStatsReadyEmail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "ready_email_recipients",
                table: "audiences",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<string>(
                name: "stats",
                table: "audience_snapshots",
                type: "jsonb",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audience_exports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    audience_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    export_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    content_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    byte_size = table.Column<long>(type: "bigint", nullable: true),
                    row_count = table.Column<long>(type: "bigint", nullable: true),
                    content_sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: true),
                    storage_provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    storage_key = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    error_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audience_exports", x => x.id);
                    table.CheckConstraint("ck_audience_exports_status", "status IN ('processing', 'completed', 'failed')");
                    table.CheckConstraint("ck_audience_exports_type", "export_type IN ('csv')");
                    table.ForeignKey(
                        name: "fk_audience_exports_audience_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "audience_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_audience_exports_audiences_audience_id",
                        column: x => x.audience_id,
                        principalTable: "audiences",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_audience_exports_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_audiences_ready_email_recipients",
                table: "audiences",
                sql: "cardinality(ready_email_recipients) <= 10");

            migrationBuilder.CreateIndex(
                name: "ix_audience_exports_audience_id",
                table: "audience_exports",
                column: "audience_id");

            migrationBuilder.CreateIndex(
                name: "ix_audience_exports_organization_id",
                table: "audience_exports",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ux_audience_exports_run_type",
                table: "audience_exports",
                columns: new[] { "run_id", "export_type" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audience_exports");

            migrationBuilder.DropCheckConstraint(
                name: "ck_audiences_ready_email_recipients",
                table: "audiences");

            migrationBuilder.DropColumn(
                name: "ready_email_recipients",
                table: "audiences");

            migrationBuilder.DropColumn(
                name: "stats",
                table: "audience_snapshots");
        }
    }
}
