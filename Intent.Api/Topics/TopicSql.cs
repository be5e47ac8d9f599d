using Intent.Api.Errors;
using Intent.Data;
using Intent.Data.Catalog;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Api.Topics;

/// <summary>Reading discovery queries on the request's connection, and the query parameters they share.</summary>
internal static class TopicSql
{
    public const int MaxIndustryLength = 255;

    public static async Task<List<T>> QueryAsync<T>(
        IntentDbContext db, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.AddRange(parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return rows;
    }

    public static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Integer(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    public static NpgsqlParameter Date(DateOnly value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Date };

    /// <summary><c>b2b</c> or <c>b2c</c> as stored; null for none, empty or <c>both</c>.</summary>
    public static string? Type(string? type) => type switch
    {
        null or "" or "both" => null,
        _ when SnakeCaseNames.TryParse<TopicType>(type, out var topicType) => SnakeCaseNames.Of(topicType),
        _ => throw Validation.Error("type", "must be b2b, b2c or both"),
    };

    /// <summary>An industry to match exactly, ignoring case; null for none.</summary>
    public static string? Industry(string? industry)
    {
        var trimmed = industry?.Trim();
        Validation.Check(trimmed is not { Length: > MaxIndustryLength }, "industry", $"must be at most {MaxIndustryLength} characters");
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    public static int Limit(int? limit, int fallback, int max, string name = "limit")
    {
        var value = limit ?? fallback;
        Validation.Check(value >= 1 && value <= max, name, $"must be from 1 to {max}");
        return value;
    }
}
