using System.Collections.Concurrent;
using System.Text;

namespace Intent.Data;

/// <summary>The snake_case names of enum values, as stored and as the API speaks them.</summary>
public static class SnakeCaseNames
{
    private static readonly ConcurrentDictionary<Enum, string> Names = new();

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Names.GetOrAdd(value, v => SnakeCase(v.ToString()));

    public static TEnum Parse<TEnum>(string name)
        where TEnum : struct, Enum =>
        TryParse<TEnum>(name, out var value) ? value : throw new FormatException($"'{name}' is not a {typeof(TEnum).Name}.");

    public static bool TryParse<TEnum>(string? name, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Of(candidate), name, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>All names of <typeparamref name="TEnum"/>, for error messages.</summary>
    public static string All<TEnum>()
        where TEnum : struct, Enum =>
        string.Join("|", Enum.GetValues<TEnum>().Select(v => Of(v)));

    private static string SnakeCase(string pascal)
    {
        var builder = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
