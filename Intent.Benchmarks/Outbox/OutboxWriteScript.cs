using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// The bus outbox's write for one publish, as captured from EF Core (<see cref="CommandCapture"/>), turned into
/// a pgbench script that sends the same statements in the same round trips: what Npgsql sends in one
/// round trip (a transaction's lazy BEGIN and a command's statements) becomes one compound command (<c>\;</c>,
/// simple protocol), its parameters literals. Ids become fresh random uuids per transaction (a value used
/// twice, such as the outbox id, stays one value) and timestamps <c>now()</c>.
/// </summary>
public static partial class OutboxWriteScript
{
    public static string From(IReadOnlyList<CommandCapture.RoundTrip> steps)
    {
        var ids = new Dictionary<Guid, int>();
        var roundTrips = new List<List<string>>();
        var pendingBegin = false;
        foreach (var step in steps)
        {
            if (step.Sql == "BEGIN")
            {
                pendingBegin = true;
                continue;
            }

            var statements = new List<string>();
            if (pendingBegin)
            {
                statements.Add("BEGIN");
                pendingBegin = false;
            }

            statements.AddRange(StatementEnd().Split(step.Sql).Select(s => s.Trim()).Where(s => s.Length > 0)
                .Select(s => Inline(s, step.Parameters, ids)));
            roundTrips.Add(statements);
        }

        var script = new StringBuilder();
        foreach (var id in ids.Values.Order())
        {
            script.Append(CultureInfo.InvariantCulture, $"\\set id{id} random(1, 281474976710655)\n");
        }

        foreach (var statements in roundTrips)
        {
            script.Append(string.Join(" \\;\n", statements)).Append(";\n");
        }

        return script.ToString();
    }

    /// <summary>One line per round trip of the script, each statement cut before its values, to show what is replayed.</summary>
    public static IEnumerable<string> Outline(string script) =>
        string.Join('\n', script.Split('\n').Where(l => !l.StartsWith("\\set", StringComparison.Ordinal)))
            .Split(";\n").Where(r => r.Length > 0)
            .Select(r => string.Join(" \\; ", r.Split(" \\;\n").Select(Head)));

    private static string Head(string statement)
    {
        var flat = Whitespace().Replace(statement, " ").Trim();
        var values = flat.IndexOf(" VALUES", StringComparison.Ordinal);
        flat = values > 0 ? flat[..values] + " VALUES (...)" : flat;
        return flat.Length > 100 ? flat[..100] + " ..." : flat;
    }

    private static string Inline(string sql, IReadOnlyList<CommandCapture.Parameter> parameters, Dictionary<Guid, int> ids)
    {
        foreach (var parameter in parameters.OrderByDescending(p => p.Name.Length))
        {
            var name = parameter.Name.StartsWith('@') ? parameter.Name : "@" + parameter.Name;
            sql = Regex.Replace(sql, Regex.Escape(name) + @"\b", Literal(parameter.Value, ids).Replace("$", "$$", StringComparison.Ordinal));
        }

        return sql;
    }

    private static string Literal(object? value, Dictionary<Guid, int> ids) => value switch
    {
        null or DBNull => "NULL",
        Guid id => $"('00000000-0000-4000-8000-' || lpad(to_hex(:id{Id(id, ids)}), 12, '0'))::uuid",
        DateTime or DateTimeOffset => "now()",
        string text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        var other => throw new InvalidOperationException($"no literal for a {other.GetType().Name}"),
    };

    private static int Id(Guid id, Dictionary<Guid, int> ids)
    {
        if (!ids.TryGetValue(id, out var index))
        {
            index = ids.Count;
            ids[id] = index;
        }

        return index;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@";\s*(?:\r?\n|$)")]
    private static partial Regex StatementEnd();
}
