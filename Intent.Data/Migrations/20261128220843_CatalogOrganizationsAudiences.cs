using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class CatalogOrganizationsAudiences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_outbox_state",
                table: "outbox_state");

            migrationBuilder.DropPrimaryKey(
                name: "PK_outbox_message",
                table: "outbox_message");

            migrationBuilder.DropPrimaryKey(
                name: "PK_inbox_state",
                table: "inbox_state");

            migrationBuilder.RenameIndex(
                name: "IX_outbox_state_created",
                table: "outbox_state",
                newName: "ix_outbox_state_created");

            migrationBuilder.RenameIndex(
                name: "IX_outbox_message_outbox_id_sequence_number",
                table: "outbox_message",
                newName: "ix_outbox_message_outbox_id_sequence_number");

            migrationBuilder.RenameIndex(
                name: "IX_inbox_state_received",
                table: "inbox_state",
                newName: "ix_inbox_state_received");

            migrationBuilder.AddPrimaryKey(
                name: "pk_outbox_state",
                table: "outbox_state",
                column: "outbox_id");

            migrationBuilder.AddPrimaryKey(
                name: "pk_outbox_message",
                table: "outbox_message",
                column: "sequence_number");

            migrationBuilder.AddPrimaryKey(
                name: "pk_inbox_state",
                table: "inbox_state",
                columns: new[] { "message_id", "consumer_id" });

            migrationBuilder.CreateTable(
                name: "data_dates",
                columns: table => new
                {
                    data_date = table.Column<DateOnly>(type: "date", nullable: false),
                    complete = table.Column<bool>(type: "boolean", nullable: false),
                    score_count = table.Column<long>(type: "bigint", nullable: false),
                    loaded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_dates", x => x.data_date);
                });

            migrationBuilder.CreateTable(
                name: "organizations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_organizations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "people",
                columns: table => new
                {
                    person_id = table.Column<long>(type: "bigint", nullable: false),
                    hashed_email = table.Column<string>(type: "text", nullable: false),
                    first_name = table.Column<string>(type: "text", nullable: true),
                    last_name = table.Column<string>(type: "text", nullable: true),
                    full_name = table.Column<string>(type: "text", nullable: true),
                    business_email = table.Column<string>(type: "text", nullable: true),
                    personal_email = table.Column<string>(type: "text", nullable: true),
                    email = table.Column<string>(type: "text", nullable: true),
                    primary_contact_email = table.Column<string>(type: "text", nullable: true),
                    phone = table.Column<string>(type: "text", nullable: true),
                    linkedin_url = table.Column<string>(type: "text", nullable: true),
                    headline = table.Column<string>(type: "text", nullable: true),
                    job_title = table.Column<string>(type: "text", nullable: true),
                    seniority = table.Column<string>(type: "text", nullable: true),
                    department = table.Column<string>(type: "text", nullable: true),
                    company_name = table.Column<string>(type: "text", nullable: true),
                    company_domain = table.Column<string>(type: "text", nullable: true),
                    company_industry = table.Column<string>(type: "text", nullable: true),
                    company_industry_group = table.Column<string>(type: "text", nullable: true),
                    company_revenue_range = table.Column<string>(type: "text", nullable: true),
                    company_employee_range = table.Column<string>(type: "text", nullable: true),
                    country = table.Column<string>(type: "text", nullable: true),
                    is_decision_maker = table.Column<bool>(type: "boolean", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_people", x => x.person_id);
                });

            migrationBuilder.CreateTable(
                name: "topics",
                columns: table => new
                {
                    topic_id = table.Column<int>(type: "integer", nullable: false),
                    topic_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    type = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    industry = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    category = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_topics", x => x.topic_id);
                    table.CheckConstraint("ck_topics_type", "type IN ('b2b', 'b2c')");
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    display_prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_tokens", x => x.id);
                    table.CheckConstraint("ck_api_tokens_kind", "kind IN ('dashboard', 'api_key')");
                    table.ForeignKey(
                        name: "fk_api_tokens_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "audiences",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    daily_refresh_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    config = table.Column<string>(type: "jsonb", nullable: false),
                    config_hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    audience_size = table.Column<long>(type: "bigint", nullable: false),
                    last_refreshed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audiences", x => x.id);
                    table.CheckConstraint("ck_audiences_name", "char_length(name) BETWEEN 1 AND 255");
                    table.CheckConstraint("ck_audiences_status", "status IN ('draft', 'active', 'paused')");
                    table.ForeignKey(
                        name: "fk_audiences_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_organization_id",
                table: "api_tokens",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_token_hash",
                table: "api_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audiences_organization_id_created_at",
                table: "audiences",
                columns: new[] { "organization_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_organizations_name",
                table: "organizations",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_people_hashed_email",
                table: "people",
                column: "hashed_email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_topics_type_industry_category",
                table: "topics",
                columns: new[] { "type", "industry", "category" });

            // Daily scores, one LIST partition per data date (created by the loaders, which build each
            // partition's index after COPY and then attach it). Not modelled in EF Core: set-based SQL only.
            migrationBuilder.Sql("""
                CREATE TABLE intent_scores (
                    data_date date NOT NULL,
                    person_id bigint NOT NULL,
                    topic_id integer NOT NULL,
                    score smallint NOT NULL CONSTRAINT ck_intent_scores_score CHECK (score BETWEEN 1 AND 100)
                ) PARTITION BY LIST (data_date);
                CREATE INDEX ix_intent_scores_topic_score ON intent_scores (topic_id, score) INCLUDE (person_id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE intent_scores;");

            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "audiences");

            migrationBuilder.DropTable(
                name: "data_dates");

            migrationBuilder.DropTable(
                name: "people");

            migrationBuilder.DropTable(
                name: "topics");

            migrationBuilder.DropTable(
                name: "organizations");

            migrationBuilder.DropPrimaryKey(
                name: "pk_outbox_state",
                table: "outbox_state");

            migrationBuilder.DropPrimaryKey(
                name: "pk_outbox_message",
                table: "outbox_message");

            migrationBuilder.DropPrimaryKey(
                name: "pk_inbox_state",
                table: "inbox_state");

            migrationBuilder.RenameIndex(
                name: "ix_outbox_state_created",
                table: "outbox_state",
                newName: "IX_outbox_state_created");

            migrationBuilder.RenameIndex(
                name: "ix_outbox_message_outbox_id_sequence_number",
                table: "outbox_message",
                newName: "IX_outbox_message_outbox_id_sequence_number");

            migrationBuilder.RenameIndex(
                name: "ix_inbox_state_received",
                table: "inbox_state",
                newName: "IX_inbox_state_received");

            migrationBuilder.AddPrimaryKey(
                name: "PK_outbox_state",
                table: "outbox_state",
                column: "outbox_id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_outbox_message",
                table: "outbox_message",
                column: "sequence_number");

            migrationBuilder.AddPrimaryKey(
                name: "PK_inbox_state",
                table: "inbox_state",
                columns: new[] { "message_id", "consumer_id" });
        }
    }
}
