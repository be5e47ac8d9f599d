using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class AudienceRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audience_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    audience_id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    run_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    config = table.Column<string>(type: "jsonb", nullable: false),
                    config_hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    data_date = table.Column<DateOnly>(type: "date", nullable: true),
                    result_key = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: true),
                    candidate_count = table.Column<long>(type: "bigint", nullable: false),
                    result_count = table.Column<long>(type: "bigint", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    idempotency_key = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: true),
                    error_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    cancelled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ready_email_sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ready_email_export_id = table.Column<Guid>(type: "uuid", nullable: true),
                    ready_email_error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audience_runs", x => x.id);
                    table.CheckConstraint("ck_audience_runs_idempotency_key", "idempotency_key IS NULL OR char_length(idempotency_key) BETWEEN 1 AND 120");
                    table.CheckConstraint("ck_audience_runs_run_type", "run_type IN ('manual', 'daily', 'preview')");
                    table.CheckConstraint("ck_audience_runs_status", "status IN ('queued', 'running', 'completed', 'failed', 'cancelled')");
                    table.ForeignKey(
                        name: "fk_audience_runs_audiences_audience_id",
                        column: x => x.audience_id,
                        principalTable: "audiences",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_audience_runs_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "audience_snapshots",
                columns: table => new
                {
                    result_key = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    config_hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    data_date = table.Column<DateOnly>(type: "date", nullable: false),
                    candidate_count = table.Column<long>(type: "bigint", nullable: false),
                    result_count = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audience_snapshots", x => x.result_key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audience_runs_audience_id_created_at",
                table: "audience_runs",
                columns: new[] { "audience_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ux_audience_runs_idempotency_key",
                table: "audience_runs",
                columns: new[] { "organization_id", "idempotency_key" },
                unique: true,
                filter: "idempotency_key IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ux_audience_runs_in_flight",
                table: "audience_runs",
                column: "audience_id",
                unique: true,
                filter: "status IN ('queued', 'running')");

            // The people of each snapshot in result order (SQL only; written by INSERT ... SELECT).
            migrationBuilder.Sql("""
                CREATE TABLE audience_snapshot_members (
                    result_key character(64) NOT NULL REFERENCES audience_snapshots (result_key) ON DELETE CASCADE,
                    rank integer NOT NULL,
                    person_id bigint NOT NULL,
                    intent_score smallint NOT NULL,
                    topic_overlap smallint NOT NULL,
                    matched_topic_ids integer[] NOT NULL,
                    PRIMARY KEY (result_key, rank)
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE audience_snapshot_members;");

            migrationBuilder.DropTable(
                name: "audience_runs");

            migrationBuilder.DropTable(
                name: "audience_snapshots");
        }
    }
}
