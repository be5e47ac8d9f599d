namespace Intent.Data.Runs;

/// <summary>
/// How a snapshot's members are stored: <c>audience_snapshot_pages</c> holds one row per <see cref="Size"/> consecutive
/// ranks, page <c>p</c> holding ranks <c>p × Size + 1</c> to <c>p × Size + n</c> as parallel arrays (person ids, intent
/// scores, topic overlaps) and the members' matched topics flattened in rank order, each member's run of them as long
/// as its topic overlap, the number of topics it matched. Writing a snapshot is one row per page, not one per member.
/// </summary>
public static class SnapshotPages
{
    /// <summary>
    /// Ranks per page. Stored pages were cut at this size, so changing it needs a migration that cuts them again. It is
    /// at least the largest page of results, so that any page of results reads at most two of these rows.
    /// </summary>
    public const int Size = 1000;

    /// <summary>
    /// One <c>INSERT ... SELECT</c> of <paramref name="members"/> grouped into pages: a FROM item whose rows have
    /// <c>snapshot_id</c>, <c>rank</c> (1..N without gaps in each snapshot), <c>person_id</c>, <c>intent_score</c>,
    /// <c>topic_overlap</c> and <c>matched_topic_ids</c>. PostgreSQL has no aggregate that concatenates arrays in linear time,
    /// so the topics are joined as text and split once per page. The rows are sorted in page and rank order (a sort that
    /// finds ranked rows already in order), and the grouping reads them as sorted, so each page's arrays are in rank
    /// order without an ordered aggregate: PostgreSQL 15 would sort every page of every such aggregate again.
    /// </summary>
    public static string Insert(string members) => $"""
        INSERT INTO audience_snapshot_pages (snapshot_id, page, person_ids, intent_scores, topic_overlaps, matched_topic_ids)
        SELECT m.snapshot_id, m.page,
               array_agg(m.person_id), array_agg(m.intent_score), array_agg(m.topic_overlap),
               string_to_array(string_agg(array_to_string(m.matched_topic_ids, ','), ','), ',')::integer[]
        FROM (SELECT m.snapshot_id, (m.rank - 1) / {Size} AS page, m.rank, m.person_id, m.intent_score, m.topic_overlap, m.matched_topic_ids
              FROM {members} m ORDER BY 1, 2, 3) m
        GROUP BY m.snapshot_id, m.page
        """;

    /// <summary>
    /// The members of the snapshot whose id is <paramref name="snapshotId"/> (an SQL expression; all snapshots when null), as a
    /// FROM item of rows <c>snapshot_id, rank, person_id, intent_score, topic_overlap, matched_topic_ids</c>, in no particular order.
    /// </summary>
    public static string Members(string? snapshotId = null) =>
        Unnested(snapshotId is null ? "true" : $"pg.snapshot_id = {snapshotId}", "true");

    /// <summary>
    /// The members ranked after <paramref name="after"/> up to <paramref name="last"/> (SQL expressions) of the snapshot
    /// <paramref name="snapshotId"/>, read from the pages that hold those ranks only: at most two when the range is at most <see cref="Size"/> long.
    /// </summary>
    public static string Ranks(string snapshotId, string after, string last) =>
        Unnested(
            $"pg.snapshot_id = {snapshotId} AND pg.page BETWEEN ({after}) / {Size} AND ({last} - 1) / {Size}",
            $"pg.page * {Size} + u.i > {after} AND pg.page * {Size} + u.i <= {last}");

    // Each member's topics end where the running sum of the overlaps up to it ends. The flattened array is copied out of
    // storage once per page: sliced straight from the row, it would be fetched again for every member.
    private static string Unnested(string pages, string ranks) => $"""
        (SELECT pg.snapshot_id, pg.page * {Size} + u.i AS rank, u.person_id, u.intent_score, u.topic_overlap,
                t.topic_ids[u.topic_end - u.topic_overlap + 1 : u.topic_end] AS matched_topic_ids
         FROM audience_snapshot_pages pg
             CROSS JOIN LATERAL (SELECT pg.matched_topic_ids || '{"{}"}'::integer[] AS topic_ids OFFSET 0) t
             CROSS JOIN LATERAL (
                 SELECT u.*, (sum(u.topic_overlap) OVER (ORDER BY u.i))::integer AS topic_end
                 FROM unnest(pg.person_ids, pg.intent_scores, pg.topic_overlaps) WITH ORDINALITY AS u (person_id, intent_score, topic_overlap, i)) u
         WHERE {pages} AND {ranks}) m
        """;
}
