using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class FilterCatalogValues : Migration
    {
        private static readonly string[] Attributes =
        [
            "company_industry", "company_domain", "company_revenue_range", "company_employee_range", "seniority", "department", "job_title", "country",
        ];

        private static readonly string[] AddedAttributes = ["company_name", "company_industry_group"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The company name and industry group filters read people_traits too: two more coded columns, written by the
            // same statement triggers. The table is rebuilt from people in one INSERT ... SELECT (no per-row update bloat).
            migrationBuilder.Sql($$"""
                TRUNCATE people_traits;
                ALTER TABLE people_traits ADD COLUMN company_name integer, ADD COLUMN company_industry_group integer;
                CREATE OR REPLACE FUNCTION people_traits_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    IF TG_OP IN ('DELETE', 'UPDATE') THEN
                        DELETE FROM people_traits t USING old_people o WHERE t.person_id = o.person_id;
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {{WriteTraits("new_people", [.. Attributes, .. AddedAttributes])}}
                    END IF;
                    RETURN NULL;
                END
                $fn$;
                {{WriteTraits("people", [.. Attributes, .. AddedAttributes])}}
                ANALYZE people_traits;
                ANALYZE person_values;
                """);

            // The filter catalog's value counts: one build (the latest), written set-based when people or intent data
            // are loaded (FilterCatalogRefresh), read by GET /v1/intent/audiences/filters.
            migrationBuilder.Sql("""
                CREATE TABLE filter_catalog_builds (
                    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    build_id text NOT NULL,
                    catalog_version text NOT NULL,
                    people_count bigint NOT NULL,
                    built_at timestamp with time zone NOT NULL
                );
                CREATE TABLE filter_catalog_values (
                    build integer NOT NULL REFERENCES filter_catalog_builds (id) ON DELETE CASCADE,
                    filter_key text NOT NULL,
                    position integer NOT NULL,
                    value text NOT NULL,
                    label text NOT NULL,
                    count bigint NOT NULL,
                    CONSTRAINT pk_filter_catalog_values PRIMARY KEY (build, filter_key, position),
                    CONSTRAINT ux_filter_catalog_values_value UNIQUE (build, filter_key, value)
                );
                """);
        }

        // Frozen with this migration: the traits of the people in source, written set-based.
        private static string WriteTraits(string source, string[] attributes)
        {
            var filled = """
                ((n.hashed_email IS NOT NULL)::int << 0) | ((n.first_name IS NOT NULL)::int << 1) | ((n.last_name IS NOT NULL)::int << 2) | ((n.full_name IS NOT NULL)::int << 3) |
                               ((n.business_email IS NOT NULL)::int << 4) | ((n.personal_email IS NOT NULL)::int << 5) | ((n.email IS NOT NULL)::int << 6) | ((n.primary_contact_email IS NOT NULL)::int << 7) |
                               ((n.phone IS NOT NULL)::int << 8) | ((n.linkedin_url IS NOT NULL)::int << 9) | ((n.headline IS NOT NULL)::int << 10) | ((n.job_title IS NOT NULL)::int << 11) |
                               ((n.seniority IS NOT NULL)::int << 12) | ((n.department IS NOT NULL)::int << 13) | ((n.company_name IS NOT NULL)::int << 14) | ((n.company_domain IS NOT NULL)::int << 15) |
                               ((n.company_industry IS NOT NULL)::int << 16) | ((n.company_industry_group IS NOT NULL)::int << 17) | ((n.company_revenue_range IS NOT NULL)::int << 18) | ((n.company_employee_range IS NOT NULL)::int << 19) |
                               ((n.country IS NOT NULL)::int << 20) | ((n.is_decision_maker IS NOT NULL)::int << 21)
                """;
            var values = string.Join(",\n                        ", attributes.Select(a => $"('{a}', n.{a})"));
            var columns = string.Join(", ", attributes);
            var codes = string.Join(", ", attributes.Select((_, i) => $"v{i}.code"));
            var joins = string.Join("\n                    ", attributes.Select((a, i) => $"LEFT JOIN person_values v{i} ON v{i}.attribute = '{a}' AND v{i}.value = n.{a}"));
            var updates = string.Join(", ", attributes.Select(a => $"{a} = excluded.{a}"));
            return $$"""
                INSERT INTO person_values (attribute, value)
                SELECT DISTINCT a.attribute, a.value
                FROM {{source}} n CROSS JOIN LATERAL (VALUES
                        {{values}}) a (attribute, value)
                WHERE a.value IS NOT NULL
                ON CONFLICT (attribute, value) DO NOTHING;
                INSERT INTO people_traits (person_id, filled, {{columns}}, is_decision_maker)
                SELECT n.person_id,
                       {{filled}},
                       {{codes}}, n.is_decision_maker
                FROM {{source}} n
                    {{joins}}
                ON CONFLICT (person_id) DO UPDATE SET filled = excluded.filled, {{updates}}, is_decision_maker = excluded.is_decision_maker;
                """;
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                DROP TABLE filter_catalog_values, filter_catalog_builds;
                CREATE OR REPLACE FUNCTION people_traits_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    IF TG_OP IN ('DELETE', 'UPDATE') THEN
                        DELETE FROM people_traits t USING old_people o WHERE t.person_id = o.person_id;
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {{WriteTraits("new_people", Attributes)}}
                    END IF;
                    RETURN NULL;
                END
                $fn$;
                ALTER TABLE people_traits DROP COLUMN company_name, DROP COLUMN company_industry_group;
                DELETE FROM person_values v WHERE v.attribute IN ('company_name', 'company_industry_group');
                """);
        }
    }
}
