using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class TraitsPages : Migration
    {
        private static readonly string[] Codes =
        [
            "company_industry", "company_domain", "company_revenue_range", "company_employee_range", "seniority", "department", "job_title", "country",
            "company_name", "company_industry_group",
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // people_traits again, one row per 1,024 consecutive person ids (page = person_id >> 10, slot = person_id & 1023), each
            // column an array over the slots first_slot .. first_slot + n - 1: a materialization joins its candidates to the pages
            // (a few thousand rows read once) instead of probing the traits key once per candidate. A slot without a person has
            // filled -1; a missing code is 0 and is_decision_maker is 0 (null), 1 (true) or 2 (false), so no array has nulls and a
            // slot is found by offset. Written by statement triggers on people that fire after people_traits_sync (triggers of one
            // event fire in name order), from people_traits, for the pages the statement touched. Writers of people take turns
            // (the lock, which runs do not wait for), taken by the trigger before the writing function is called: PostgreSQL
            // parses a SQL function's whole body first, which takes the pages' ROW EXCLUSIVE lock, so a LOCK inside it would
            // come too late and two writers could deadlock. Each later statement reads people_traits with a new snapshot
            // (writers of people run at READ COMMITTED, as everything here does), so a page rewritten after another
            // transaction's commit keeps that transaction's people.
            var arrays = string.Join(",\n                    ", Codes.Select(c => $"{c} integer[] NOT NULL"));
            var compression = string.Join(", ", Codes.Append("filled").Append("is_decision_maker").Select(c => $"ALTER COLUMN {c} SET COMPRESSION lz4"));
            var aggregates = string.Join(",\n                           ", Codes.Select(c => $"array_agg(coalesce(t.{c}, 0) ORDER BY s.id)"));
            migrationBuilder.Sql($$"""
                CREATE TABLE people_traits_pages (
                    page bigint PRIMARY KEY,
                    first_slot integer NOT NULL,
                    filled integer[] NOT NULL,
                    {{arrays}},
                    is_decision_maker smallint[] NOT NULL,
                    CONSTRAINT ck_people_traits_pages_slots CHECK (first_slot >= 0 AND cardinality(filled) >= 1 AND first_slot + cardinality(filled) <= 1024)
                );

                DO $lz4$
                BEGIN
                    ALTER TABLE people_traits_pages {{compression}};
                EXCEPTION WHEN feature_not_supported THEN
                    NULL;
                END
                $lz4$;

                CREATE FUNCTION people_traits_pages_write(pages bigint[]) RETURNS void LANGUAGE sql AS $fn$
                    DELETE FROM people_traits_pages WHERE page = ANY(pages);
                    INSERT INTO people_traits_pages (page, first_slot, filled, {{string.Join(", ", Codes)}}, is_decision_maker)
                    SELECT r.page, (r.low & 1023)::integer,
                           array_agg(coalesce(t.filled, -1) ORDER BY s.id),
                           {{aggregates}},
                           array_agg((CASE t.is_decision_maker WHEN true THEN 1 WHEN false THEN 2 ELSE 0 END)::smallint ORDER BY s.id)
                    FROM (SELECT g.page, min(t.person_id) AS low, max(t.person_id) AS high
                          FROM (SELECT DISTINCT unnest(pages) AS page) g
                              JOIN people_traits t ON t.person_id BETWEEN (g.page << 10) AND ((g.page << 10) | 1023)
                          GROUP BY g.page) r
                        CROSS JOIN LATERAL generate_series(r.low, r.high) s (id)
                        LEFT JOIN people_traits t ON t.person_id = s.id
                    GROUP BY r.page, r.low;
                $fn$;

                CREATE FUNCTION people_traits_pages_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE
                    touched bigint[];
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        touched := ARRAY(SELECT DISTINCT n.person_id >> 10 FROM new_people n);
                    ELSIF TG_OP = 'DELETE' THEN
                        touched := ARRAY(SELECT DISTINCT o.person_id >> 10 FROM old_people o);
                    ELSE
                        touched := ARRAY(SELECT n.person_id >> 10 FROM new_people n UNION SELECT o.person_id >> 10 FROM old_people o);
                    END IF;

                    IF cardinality(touched) > 0 THEN
                        LOCK TABLE people_traits_pages IN SHARE ROW EXCLUSIVE MODE;
                        PERFORM people_traits_pages_write(touched);
                    END IF;

                    RETURN NULL;
                END
                $fn$;
                CREATE FUNCTION people_traits_pages_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    TRUNCATE people_traits_pages;
                    RETURN NULL;
                END
                $fn$;
                CREATE TRIGGER people_traits_insert_pages AFTER INSERT ON people REFERENCING NEW TABLE AS new_people
                    FOR EACH STATEMENT EXECUTE FUNCTION people_traits_pages_sync();
                CREATE TRIGGER people_traits_update_pages AFTER UPDATE ON people REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people
                    FOR EACH STATEMENT EXECUTE FUNCTION people_traits_pages_sync();
                CREATE TRIGGER people_traits_delete_pages AFTER DELETE ON people REFERENCING OLD TABLE AS old_people
                    FOR EACH STATEMENT EXECUTE FUNCTION people_traits_pages_sync();
                CREATE TRIGGER people_traits_truncate_pages AFTER TRUNCATE ON people
                    FOR EACH STATEMENT EXECUTE FUNCTION people_traits_pages_truncate();

                SELECT people_traits_pages_write(ARRAY(SELECT DISTINCT t.person_id >> 10 FROM people_traits t));
                ANALYZE people_traits_pages;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER people_traits_truncate_pages ON people;
                DROP TRIGGER people_traits_delete_pages ON people;
                DROP TRIGGER people_traits_update_pages ON people;
                DROP TRIGGER people_traits_insert_pages ON people;
                DROP FUNCTION people_traits_pages_truncate, people_traits_pages_sync, people_traits_pages_write;
                DROP TABLE people_traits_pages;
                """);
        }
    }
}
