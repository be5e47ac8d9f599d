using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class SnapshotMemberPages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A snapshot's members as pages of 1,000 consecutive ranks (SnapshotPages.Size when this was written): parallel
            // arrays, the matched topics flattened in rank order, each member's run of them as long as its topic overlap. The
            // check keeps a page's arrays lined up. lz4 compresses the arrays about as fast as storing them raw (pglz took
            // longer than the rest of the write); a server built without lz4 keeps the default compression.
            migrationBuilder.Sql("""
                CREATE FUNCTION audience_snapshot_page_topic_count(topic_overlaps smallint[]) RETURNS bigint
                    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                    RETURN (SELECT coalesce(sum(o), 0) FROM unnest(topic_overlaps) o);

                CREATE TABLE audience_snapshot_pages (
                    snapshot_id integer NOT NULL,
                    page integer NOT NULL,
                    person_ids bigint[] NOT NULL,
                    intent_scores smallint[] NOT NULL,
                    topic_overlaps smallint[] NOT NULL,
                    matched_topic_ids integer[] NOT NULL,
                    CONSTRAINT audience_snapshot_pages_pkey PRIMARY KEY (snapshot_id, page),
                    CONSTRAINT ck_audience_snapshot_pages_members CHECK (
                        cardinality(person_ids) BETWEEN 1 AND 1000
                        AND cardinality(intent_scores) = cardinality(person_ids)
                        AND cardinality(topic_overlaps) = cardinality(person_ids)
                        AND cardinality(matched_topic_ids) = audience_snapshot_page_topic_count(topic_overlaps))
                );

                DO $lz4$
                BEGIN
                    ALTER TABLE audience_snapshot_pages ALTER COLUMN person_ids SET COMPRESSION lz4, ALTER COLUMN intent_scores SET COMPRESSION lz4,
                        ALTER COLUMN topic_overlaps SET COMPRESSION lz4, ALTER COLUMN matched_topic_ids SET COMPRESSION lz4;
                EXCEPTION WHEN feature_not_supported THEN
                    NULL;
                END
                $lz4$;

                INSERT INTO audience_snapshot_pages (snapshot_id, page, person_ids, intent_scores, topic_overlaps, matched_topic_ids)
                SELECT m.snapshot_id, m.page,
                       array_agg(m.person_id ORDER BY m.rank), array_agg(m.intent_score ORDER BY m.rank), array_agg(m.topic_overlap ORDER BY m.rank),
                       string_to_array(string_agg(array_to_string(m.matched_topic_ids, ','), ',' ORDER BY m.rank), ',')::integer[]
                FROM (SELECT m.snapshot_id, (m.rank - 1) / 1000 AS page, m.rank, m.person_id, m.intent_score, m.topic_overlap, m.matched_topic_ids
                      FROM audience_snapshot_members m ORDER BY 1, 2, 3) m
                GROUP BY m.snapshot_id, m.page;

                DROP TABLE audience_snapshot_members;
                DROP FUNCTION audience_snapshot_members_check_snapshot();
                ANALYZE audience_snapshot_pages;
                """);

            // The rule of migration MaterializationNearFloor (decision 0012), moved to the pages: written pages key-share lock
            // their snapshots once per statement and fail with 23503 when one is missing; removed snapshots take their pages.
            migrationBuilder.Sql("""
                CREATE FUNCTION audience_snapshot_pages_check_snapshot() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE
                    low integer;
                    high integer;
                    snapshots integer[];
                BEGIN
                    SELECT min(n.snapshot_id), max(n.snapshot_id) INTO low, high FROM new_pages n;
                    IF low IS NULL THEN
                        RETURN NULL;
                    END IF;
                    snapshots := CASE WHEN low = high THEN ARRAY[low] ELSE ARRAY(SELECT DISTINCT n.snapshot_id FROM new_pages n) END;
                    IF (SELECT count(*) FROM (SELECT 1 FROM audience_snapshots s WHERE s.id = ANY(snapshots) FOR KEY SHARE OF s) locked) < cardinality(snapshots) THEN
                        RAISE foreign_key_violation USING
                            MESSAGE = 'insert or update on table "audience_snapshot_pages" violates foreign key constraint "fk_audience_snapshot_pages_snapshot"',
                            DETAIL = 'A page of members refers to a snapshot that does not exist.',
                            TABLE = 'audience_snapshot_pages',
                            CONSTRAINT = 'fk_audience_snapshot_pages_snapshot';
                    END IF;
                    RETURN NULL;
                END
                $fn$;
                CREATE TRIGGER audience_snapshot_pages_insert AFTER INSERT ON audience_snapshot_pages REFERENCING NEW TABLE AS new_pages
                    FOR EACH STATEMENT EXECUTE FUNCTION audience_snapshot_pages_check_snapshot();
                CREATE TRIGGER audience_snapshot_pages_update AFTER UPDATE ON audience_snapshot_pages REFERENCING NEW TABLE AS new_pages
                    FOR EACH STATEMENT EXECUTE FUNCTION audience_snapshot_pages_check_snapshot();

                CREATE OR REPLACE FUNCTION audience_snapshots_delete_members() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    DELETE FROM audience_snapshot_pages p USING old_snapshots o WHERE p.snapshot_id = o.id;
                    RETURN NULL;
                END
                $fn$;

                CREATE OR REPLACE FUNCTION audience_snapshots_truncate_members() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    TRUNCATE audience_snapshot_pages;
                    RETURN NULL;
                END
                $fn$;

                CREATE OR REPLACE FUNCTION audience_snapshots_keep_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    RAISE foreign_key_violation USING
                        MESSAGE = 'the id of a snapshot cannot change: its pages of members refer to it',
                        TABLE = 'audience_snapshots',
                        CONSTRAINT = 'fk_audience_snapshot_pages_snapshot';
                END
                $fn$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE audience_snapshot_members (
                    snapshot_id integer NOT NULL,
                    rank integer NOT NULL,
                    person_id bigint NOT NULL,
                    intent_score smallint NOT NULL,
                    topic_overlap smallint NOT NULL,
                    matched_topic_ids integer[] NOT NULL
                );
                INSERT INTO audience_snapshot_members (snapshot_id, rank, person_id, intent_score, topic_overlap, matched_topic_ids)
                SELECT p.snapshot_id, p.page * 1000 + u.i, u.person_id, u.intent_score, u.topic_overlap,
                       p.matched_topic_ids[u.topic_end - u.topic_overlap + 1 : u.topic_end]
                FROM audience_snapshot_pages p
                    CROSS JOIN LATERAL (
                        SELECT u.*, (sum(u.topic_overlap) OVER (ORDER BY u.i))::integer AS topic_end
                        FROM unnest(p.person_ids, p.intent_scores, p.topic_overlaps) WITH ORDINALITY AS u (person_id, intent_score, topic_overlap, i)) u;
                ALTER TABLE audience_snapshot_members ADD CONSTRAINT audience_snapshot_members_pkey PRIMARY KEY (snapshot_id, rank) WITH (fillfactor = 100);

                DROP TABLE audience_snapshot_pages;
                DROP FUNCTION audience_snapshot_pages_check_snapshot(), audience_snapshot_page_topic_count(smallint[]);

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

                CREATE OR REPLACE FUNCTION audience_snapshots_delete_members() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    DELETE FROM audience_snapshot_members m USING old_snapshots o WHERE m.snapshot_id = o.id;
                    RETURN NULL;
                END
                $fn$;

                CREATE OR REPLACE FUNCTION audience_snapshots_truncate_members() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    TRUNCATE audience_snapshot_members;
                    RETURN NULL;
                END
                $fn$;

                CREATE OR REPLACE FUNCTION audience_snapshots_keep_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    RAISE foreign_key_violation USING
                        MESSAGE = 'the id of a snapshot cannot change: its members refer to it',
                        TABLE = 'audience_snapshots',
                        CONSTRAINT = 'fk_audience_snapshot_members_snapshot';
                END
                $fn$;
                """);
        }
    }
}
