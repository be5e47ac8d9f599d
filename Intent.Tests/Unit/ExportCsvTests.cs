using System.Security.Cryptography;
using System.Text;
using Intent.Data.Runs;
using Intent.Pipeline.Exports;

namespace Intent.Tests.Unit;

public sealed class ExportCsvTests
{
    [Fact]
    public async Task Record_ends_become_CRLF_but_line_breaks_inside_quotes_stay()
    {
        var (text, written) = await ConvertAsync("rank,name\n1,\"two\nlines, \"\"quoted\"\"\"\n2,plain\n");

        Assert.Equal("rank,name\r\n1,\"two\nlines, \"\"quoted\"\"\"\r\n2,plain\r\n", text);
        Assert.Equal(2, written.RowCount);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), written.ByteSize);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), written.Sha256);
    }

    [Fact]
    public async Task Text_longer_than_a_buffer_with_multibyte_characters_survives_whole()
    {
        var row = "1,Zoë Müller-Łukasiewicz,東京\n";
        var csv = "rank,name,city\n" + string.Concat(Enumerable.Repeat(row, 5000));

        var (text, written) = await ConvertAsync(csv);

        Assert.Equal(csv.Replace("\n", "\r\n", StringComparison.Ordinal), text);
        Assert.Equal(5000, written.RowCount);
    }

    [Fact]
    public void The_copy_statement_takes_only_a_result_key()
    {
        Assert.Contains("TO STDOUT WITH (FORMAT csv, HEADER true", ExportCsv.CopyCommand(new string('a', 64), neutralizeFormulas: true), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ExportCsv.CopyCommand("x'; DROP TABLE people; --", neutralizeFormulas: true));
    }

    [Fact]
    public void Every_text_field_of_the_CSV_is_guarded_and_only_phones_and_emails_keep_a_shape()
    {
        var text = ResultFields.All.Where(f => f.Column != "is_decision_maker").Select(f => f.Column).Order();
        Assert.Equal(text, CsvFormulaGuard.Columns.Keys.Order());
        Assert.Equal(["business_email", "email", "personal_email", "phone", "primary_contact_email"],
            CsvFormulaGuard.Columns.Where(c => c.Value is not null).Select(c => c.Key).Order());
    }

    [Fact]
    public void Neutralizing_guards_and_force_quotes_the_guarded_fields_and_can_be_turned_off()
    {
        var on = ExportCsv.CopyCommand(new string('a', 64), neutralizeFormulas: true);
        foreach (var field in ResultFields.All.Where(f => CsvFormulaGuard.Columns.ContainsKey(f.Column)))
        {
            Assert.Contains($"{CsvFormulaGuard.Neutralized(field.Column, $"p.{field.Column}")} AS \"{field.Name}\"", on, StringComparison.Ordinal);
        }

        Assert.Contains("FORCE_QUOTE (\"hashedEmail\", \"firstName\"", on, StringComparison.Ordinal);
        Assert.Contains("\"company.name\"", on[on.IndexOf("FORCE_QUOTE", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.DoesNotContain("\"isDecisionMaker\"", on[on.IndexOf("FORCE_QUOTE", StringComparison.Ordinal)..], StringComparison.Ordinal);

        var off = ExportCsv.CopyCommand(new string('a', 64), neutralizeFormulas: false);
        Assert.DoesNotContain("CASE WHEN", off, StringComparison.Ordinal);
        Assert.DoesNotContain("FORCE_QUOTE", off, StringComparison.Ordinal);
        Assert.Contains("p.first_name AS \"firstName\"", off, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_guarded_columns_can_be_neutralized() =>
        Assert.Throws<ArgumentException>(() => CsvFormulaGuard.Neutralized("is_decision_maker", "p.is_decision_maker"));

    [Theory]
    [InlineData("Big, \"quoted\" audience", "big-quoted-audience-2001-01-02-")]
    [InlineData("  ", "audience-2001-01-02-")]
    [InlineData("Ünïcode only ✓", "n-code-only-2001-01-02-")]
    public void File_names_are_slugs_of_the_audience_with_date_and_run(string name, string prefix) =>
        Assert.StartsWith(prefix, ExportFileNames.For(name, new DateOnly(2001, 1, 2), Guid.NewGuid()), StringComparison.Ordinal);

    private static async Task<(string Text, ExportCsv.Written Written)> ConvertAsync(string csv)
    {
        using var output = new MemoryStream();
        var written = await ExportCsv.ToRfc4180Async(new StringReader(csv), output, CancellationToken.None);
        return (Encoding.UTF8.GetString(output.ToArray()), written);
    }
}
