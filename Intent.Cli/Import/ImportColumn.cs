using System.Globalization;
using NpgsqlTypes;

namespace Intent.Cli.Import;

/// <summary>One CSV column of an import: its header, its database column and type, and how to read a value.</summary>
public sealed record ImportColumn(string Header, string Column, NpgsqlDbType Type, bool Required, Func<string, (object? Value, string? Error)> Read)
{
    public static ImportColumn Text(string header, string column, bool required = false, int maxLength = 1000) =>
        new(header, column, NpgsqlDbType.Text, required, value => value.Length > maxLength ? (null, $"is longer than {maxLength} characters") : (value, null));

    public static ImportColumn WholeNumber(string header, string column, int min = 1, int max = int.MaxValue) =>
        new(header, column, NpgsqlDbType.Integer, true, value =>
            int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
                ? (number, null)
                : (null, $"must be a whole number from {min} to {max}"));

    public static ImportColumn Identifier(string header, string column) =>
        new(header, column, NpgsqlDbType.Bigint, true, value =>
            long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? (number, null)
                : (null, "must be a positive whole number"));

    public static ImportColumn Score(string header, string column) =>
        new(header, column, NpgsqlDbType.Smallint, true, value =>
            short.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 100
                ? (number, null)
                : (null, "must be a whole number from 1 to 100"));

    public static ImportColumn Flag(string header, string column) =>
        new(header, column, NpgsqlDbType.Boolean, false, value => value.ToLowerInvariant() switch
        {
            "true" or "t" or "1" or "yes" => (true, null),
            "false" or "f" or "0" or "no" => (false, null),
            _ => (null, "must be true or false"),
        });

    public static ImportColumn OneOf(string header, string column, params string[] allowed) =>
        new(header, column, NpgsqlDbType.Text, true, value =>
            allowed.Contains(value.ToLowerInvariant(), StringComparer.Ordinal)
                ? (value.ToLowerInvariant(), null)
                : (null, $"must be one of {string.Join(", ", allowed)}"));
}
