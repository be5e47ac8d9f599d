namespace Intent.Data;

/// <summary>Text searched with SQL <c>LIKE</c>/<c>ILIKE</c> (escape character <c>\</c>): the one escaping of <c>\</c>, <c>%</c> and <c>_</c>.</summary>
public static class LikePatterns
{
    public const string EscapeCharacter = "\\";

    /// <summary>The text as a pattern that matches only itself.</summary>
    public static string Literal(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>A pattern matching any text that contains <paramref name="text"/>.</summary>
    public static string Containing(string text) => $"%{Literal(text)}%";
}
