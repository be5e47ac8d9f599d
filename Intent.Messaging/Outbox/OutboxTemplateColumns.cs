using System.Globalization;
using System.Text.RegularExpressions;

namespace Intent.Messaging.Outbox;

/// <summary>
/// The columns of a set-based statement that fill a message's properties: each method gives a
/// placeholder to put in the prototype message of an <see cref="OutboxMessageTemplate"/>, which SQL
/// then replaces with that column of each row.
/// </summary>
public sealed partial class OutboxTemplateColumns
{
    private readonly Dictionary<Guid, string> _uuids = [];
    private readonly Dictionary<string, string> _values = [];

    /// <summary>Placeholders of <see cref="Uuid(string)"/> and their columns.</summary>
    internal IReadOnlyDictionary<Guid, string> Placeholders => _uuids;

    /// <summary>Placeholders of the other kinds as the serialized body shows them, and the SQL that writes each row's value there.</summary>
    internal IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>A placeholder for the uuid column <paramref name="column"/> of the statement's source rows.</summary>
    public Guid Uuid(string column)
    {
        Check(column);
        var placeholder = Guid.NewGuid();
        _uuids.Add(placeholder, column);
        return placeholder;
    }

    /// <summary>A placeholder for the bigint column <paramref name="column"/> (a JSON number in the body).</summary>
    public long Bigint(string column)
    {
        Check(column);
        var placeholder = Random.Shared.NextInt64(1_000_000_000_000_000_000, long.MaxValue);
        _values.Add(placeholder.ToString(CultureInfo.InvariantCulture), $"m.{column}::bigint::text");
        return placeholder;
    }

    /// <summary>
    /// A placeholder for the text column <paramref name="column"/> (a JSON string in the body, escaped by
    /// PostgreSQL's <c>to_json</c>: the same value, though characters the serializer escapes may be written as they are).
    /// </summary>
    public string Text(string column)
    {
        Check(column);
        var placeholder = "outbox-template-" + Guid.NewGuid().ToString("N");
        _values.Add($"\"{placeholder}\"", $"to_json(m.{column}::text)::text");
        return placeholder;
    }

    private static void Check(string column)
    {
        if (!Identifier().IsMatch(column))
        {
            throw new ArgumentException($"'{column}' is not a plain lower-case column name.", nameof(column));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
