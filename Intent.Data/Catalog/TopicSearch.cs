namespace Intent.Data.Catalog;

/// <summary>
/// The form topic names are searched in, kept beside each name by PostgreSQL (a stored generated column) so a
/// search compares plain text: lower case, every run of characters other than letters and digits one space, and a
/// space at both ends, so that <c>LIKE '% crm%'</c> finds a word that starts with "crm". A query is put in the same
/// form, with <see cref="Separators"/>, without the spaces at the ends.
/// </summary>
public static class TopicSearch
{
    /// <summary>The shadow property of <see cref="Topic"/> (column <c>search_name</c>).</summary>
    public const string NameProperty = "SearchName";

    /// <summary>A PostgreSQL regular expression literal: what separates words.</summary>
    public const string Separators = "'[^[:alnum:]]+'";

    public const string NameSql = $"' ' || btrim(regexp_replace(lower(topic_name), {Separators}, ' ', 'g')) || ' '";
}
