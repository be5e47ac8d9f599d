using System.Text.RegularExpressions;

namespace Intent.Messaging.Outbox;

/// <summary>
/// The columns of a set-based statement that fill a message's <see cref="Guid"/> properties: each
/// <see cref="Uuid(string)"/> gives a placeholder to put in the prototype message of an
/// <see cref="OutboxMessageTemplate"/>, which SQL then replaces with that column of each row.
/// </summary>
public sealed partial class OutboxTemplateColumns
{
    private readonly Dictionary<Guid, string> _columns = [];

    internal IReadOnlyDictionary<Guid, string> Placeholders => _columns;

    /// <summary>A placeholder for the uuid column <paramref name="column"/> of the statement's source rows.</summary>
    public Guid Uuid(string column)
    {
        if (!Identifier().IsMatch(column))
        {
            throw new ArgumentException($"'{column}' is not a plain lower-case column name.", nameof(column));
        }

        var placeholder = Guid.NewGuid();
        _columns.Add(placeholder, column);
        return placeholder;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
