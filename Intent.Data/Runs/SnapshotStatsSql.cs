using System.Globalization;
using System.Text;

namespace Intent.Data.Runs;

/// <summary>
/// The SQL that summarizes a snapshot's people into its stats document, computed inside PostgreSQL in
/// one pass: <c>{total, fillRates{field: {count, percent}}, scoreHistogram[{bucket, count, percent}],
/// averages{score, topicOverlap}}</c>. Percents are of <c>total</c>, rounded to two decimals.
/// </summary>
public static class SnapshotStatsSql
{
    /// <summary>
    /// A scalar subquery giving the stats document of <paramref name="rows"/>: a FROM clause whose rows
    /// have <c>m.intent_score</c>, <c>m.topic_overlap</c> and the person's <c>people_traits</c> <c>filled</c> bits
    /// as <c><paramref name="traits"/>.filled</c>.
    /// </summary>
    public static string Document(string rows, string traits = "p") =>
        Document(condition => $"count(*) FILTER (WHERE {condition})", "count(*)", "avg(m.intent_score)", "avg(m.topic_overlap)", traits, "m.intent_score", $"FROM {rows}");

    /// <summary>
    /// The same document as <see cref="Document(string, string)"/>, computed from the rows counted first per
    /// (filled bits, score): a few thousand groups, so the 27 conditions are tested per group instead of per person.
    /// </summary>
    public static string GroupedDocument(string rows, string traits = "p") =>
        Document(
            condition => $"coalesce(sum(g.n) FILTER (WHERE {condition}), 0)",
            "coalesce(sum(g.n), 0)",
            // What avg computes: the numeric quotient of the same sum and count.
            "sum(g.score_sum) / sum(g.n)",
            "sum(g.overlap_sum) / sum(g.n)",
            "g",
            "g.intent_score",
            $"""
            FROM (SELECT {traits}.filled, m.intent_score, count(*) AS n, sum(m.intent_score) AS score_sum, sum(m.topic_overlap) AS overlap_sum
                  FROM {rows} GROUP BY {traits}.filled, m.intent_score) g
            """);

    private static string Document(Func<string, string> count, string total, string score, string overlap, string traits, string intentScore, string from)
    {
        var counts = new StringBuilder();
        var fills = new StringBuilder();
        for (var i = 0; i < ResultFields.All.Count; i++)
        {
            var field = ResultFields.All[i];
            counts.Append(CultureInfo.InvariantCulture, $", {count(ResultFields.Filled(traits, field.Column))} AS f{i}");
            fills.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}'{field.Name}', {Share($"a.f{i}")}");
        }

        var histogram = new StringBuilder();
        for (var i = 0; i < ResultFields.ScoreBuckets.Count; i++)
        {
            var (label, low, high) = ResultFields.ScoreBuckets[i];
            counts.Append(CultureInfo.InvariantCulture, $", {count($"{intentScore} BETWEEN {low} AND {high}")} AS b{i}");
            histogram.Append(CultureInfo.InvariantCulture,
                $"{(i == 0 ? "" : ", ")}jsonb_build_object('bucket', '{label}', 'count', a.b{i}, 'percent', {Percent($"a.b{i}")})");
        }

        return $"""
            (SELECT jsonb_build_object(
                'total', a.total,
                'fillRates', jsonb_build_object({fills}),
                'scoreHistogram', jsonb_build_array({histogram}),
                'averages', jsonb_build_object('score', coalesce(round(a.score, 2), 0), 'topicOverlap', coalesce(round(a.overlap, 2), 0)))
             FROM (SELECT {total} AS total, {score} AS score, {overlap} AS overlap{counts} {from}) a)
            """;
    }

    /// <summary>Stores the stats of an existing snapshot (parameter <c>@key</c>) and returns them.</summary>
    public static string Refresh() => $"""
        UPDATE audience_snapshots SET stats = {Document($"{SnapshotPages.Members("(SELECT id FROM audience_snapshots WHERE result_key = @key)")} JOIN people_traits p ON p.person_id = m.person_id")}
        WHERE result_key = @key
        RETURNING stats::text AS "Value"
        """;

    private static string Share(string count) => $"jsonb_build_object('count', {count}, 'percent', {Percent(count)})";

    private static string Percent(string count) => $"CASE WHEN a.total = 0 THEN 0 ELSE round({count} * 100.0 / a.total, 2) END";
}
