using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class MaterializationNearFloor : Migration
    {
        private const string TraitColumns =
            "filled, company_industry, company_domain, company_revenue_range, company_employee_range, seniority, department, job_title, country, is_decision_maker";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The foreign key from members to their snapshot checked every member row on its own (one query per row, about
            // a third of a materialization). The same rule is now kept once per statement: inserted or updated members
            // key-share lock their snapshots, exactly as the key's check did, and a missing snapshot fails the statement
            // with the same SQLSTATE (23503); deleting or truncating snapshots removes their members.
            migrationBuilder.Sql("""
                ALTER TABLE audience_snapshot_members DROP CONSTRAINT fk_audience_snapshot_members_snapshot;

                CREATE FUNCTION audience_snapshot_members_check_snapshot() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE
                    low integer;
                    high integer;
                    snapshots integer[];
                BEGIN
                    SELECT min(n.snapshot_id), max(n.snapshot_id) INTO low, high FROM new_members n;
                    IF low IS NULL THEN
                        RETURN NULL;
                    END IF;
                    snapshots := CASE WHEN low = high THEN ARRAY[low] ELSE ARRAY(SELECT DISTINCT n.snapshot_id FROM new_members n) END;
                    IF (SELECT count(*) FROM (SELECT 1 FROM audience_snapshots s WHERE s.id = ANY(snapshots) FOR KEY SHARE OF s) locked) < cardinality(snapshots) THEN
                        RAISE foreign_key_violation USING
                            MESSAGE = 'insert or update on table "audience_snapshot_members" violates foreign key constraint "fk_audience_snapshot_members_snapshot"',
                            DETAIL = 'A member refers to a snapshot that does not exist.',
                            TABLE = 'audience_snapshot_members',
                            CONSTRAINT = 'fk_audience_snapshot_members_snapshot';
                    END IF;
                    RETURN NULL;
                END
                $fn$;
                CREATE TRIGGER audience_snapshot_members_insert AFTER INSERT ON audience_snapshot_members REFERENCING NEW TABLE AS new_members
                    FOR EACH STATEMENT EXECUTE FUNCTION audience_snapshot_members_check_snapshot();
                CREATE TRIGGER audience_snapshot_members_update AFTER UPDATE ON audience_snapshot_members REFERENCING NEW TABLE AS new_members
                    FOR EACH STATEMENT EXECUTE FUNCTION audience_snapshot_members_check_snapshot();

                CREATE FUNCTION audience_snapshots_delete_members() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    DELETE FROM audience_snapshot_members m USING old_snapshots o WHERE m.snapshot_id = o.id;
                    RETURN NULL;
                END
                $fn$;
                CREATE TRIGGER audience_snapshots_delete AFTER DELETE ON audience_snapshots REFERENCING OLD TABLE AS old_snapshots
                    FOR EACH STATEMENT EXECUTE FUNCTION audience_snapshots_delete_members();

                CREATE FUNCTION audience_snapshots_truncate_members() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    TRUNCATE audience_snapshot_members;
                    RETURN NULL;
                END
                $fn$;
                CREATE TRIGGER audience_snapshots_truncate AFTER TRUNCATE ON audience_snapshots
                    FOR EACH STATEMENT EXECUTE FUNCTION audience_snapshots_truncate_members();

                CREATE FUNCTION audience_snapshots_keep_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    RAISE foreign_key_violation USING
                        MESSAGE = 'the id of a snapshot cannot change: its members refer to it',
                        TABLE = 'audience_snapshots',
                        CONSTRAINT = 'fk_audience_snapshot_members_snapshot';
                END
                $fn$;
                CREATE TRIGGER audience_snapshots_keep_id BEFORE UPDATE OF id ON audience_snapshots
                    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION audience_snapshots_keep_id();

                ALTER INDEX audience_snapshot_members_pkey SET (fillfactor = 100);
                """);

            // Filters and stats look up each candidate's traits: with the traits in the key's leaf pages that is one
            // index-only probe per candidate, no heap page.
            migrationBuilder.Sql($"""
                ALTER TABLE people_traits DROP CONSTRAINT people_traits_pkey,
                    ADD CONSTRAINT people_traits_pkey PRIMARY KEY (person_id) INCLUDE ({TraitColumns});
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE people_traits DROP CONSTRAINT people_traits_pkey, ADD CONSTRAINT people_traits_pkey PRIMARY KEY (person_id);
                ALTER INDEX audience_snapshot_members_pkey RESET (fillfactor);
                DROP TRIGGER audience_snapshots_keep_id ON audience_snapshots;
                DROP TRIGGER audience_snapshots_truncate ON audience_snapshots;
                DROP TRIGGER audience_snapshots_delete ON audience_snapshots;
                DROP TRIGGER audience_snapshot_members_update ON audience_snapshot_members;
                DROP TRIGGER audience_snapshot_members_insert ON audience_snapshot_members;
                DROP FUNCTION audience_snapshots_keep_id, audience_snapshots_truncate_members, audience_snapshots_delete_members,
                    audience_snapshot_members_check_snapshot;
                ALTER TABLE audience_snapshot_members ADD CONSTRAINT fk_audience_snapshot_members_snapshot
                    FOREIGN KEY (snapshot_id) REFERENCES audience_snapshots (id) ON DELETE CASCADE;
                """);
        }
    }
}
