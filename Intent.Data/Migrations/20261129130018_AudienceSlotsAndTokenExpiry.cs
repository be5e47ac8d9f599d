using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class AudienceSlotsAndTokenExpiry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "audience_slots",
                table: "organizations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "expires_at",
                table: "api_tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_organizations_audience_slots",
                table: "organizations",
                sql: "audience_slots >= 0");

            migrationBuilder.CreateIndex(
                name: "ix_audiences_active_organization_id",
                table: "audiences",
                column: "organization_id",
                filter: "status = 'active'");

            // Every activation of an organization's audience locks the organization's row before it counts,
            // so concurrent activations are counted one after another and never exceed the slots.
            migrationBuilder.Sql("""
                CREATE FUNCTION audiences_take_slot() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    slots integer;
                    active bigint;
                BEGIN
                    IF NEW.status <> 'active' OR (TG_OP = 'UPDATE' AND OLD.status = 'active' AND OLD.organization_id = NEW.organization_id) THEN
                        RETURN NEW;
                    END IF;
                    SELECT coalesce(o.audience_slots, nullif(current_setting('intent.default_audience_slots', true), '')::integer)
                      INTO slots
                      FROM organizations o
                     WHERE o.id = NEW.organization_id
                       FOR NO KEY UPDATE;
                    IF slots IS NULL THEN
                        RETURN NEW;
                    END IF;
                    SELECT count(*) INTO active
                      FROM audiences a
                     WHERE a.organization_id = NEW.organization_id AND a.status = 'active' AND a.id <> NEW.id;
                    IF active >= slots THEN
                        RAISE EXCEPTION USING
                            ERRCODE = 'IN001',
                            MESSAGE = format('all %s active-audience slots of organization %s are in use', slots, NEW.organization_id),
                            HINT = 'Pause or delete an active audience, or give the organization more slots: intent org set --org NAME --slots N.';
                    END IF;
                    RETURN NEW;
                END
                $$;

                CREATE TRIGGER audiences_slots BEFORE INSERT OR UPDATE OF status, organization_id ON audiences
                    FOR EACH ROW EXECUTE FUNCTION audiences_take_slot();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER audiences_slots ON audiences; DROP FUNCTION audiences_take_slot();");

            migrationBuilder.DropCheckConstraint(
                name: "ck_organizations_audience_slots",
                table: "organizations");

            migrationBuilder.DropIndex(
                name: "ix_audiences_active_organization_id",
                table: "audiences");

            migrationBuilder.DropColumn(
                name: "audience_slots",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "api_tokens");
        }
    }
}
