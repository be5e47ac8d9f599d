using System.Text.Json;
using Intent.Api.Runs;
using Intent.Data.Runs;

namespace Intent.Tests.Unit;

/// <summary><see cref="ResultFields"/> is the one list of a result person's fields: the results answer shows exactly those, in that order.</summary>
public sealed class ResultFieldsTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void A_result_person_shows_every_result_field_in_order_with_its_value()
    {
        var fields = ResultFields.All.ToDictionary(f => f.Name, f => f.Name == "isDecisionMaker" ? (object?)true : $"value of {f.Name}");

        var person = RunResultPerson.From(fields, new RunResultIntent(90, 2, []));
        var json = JsonSerializer.SerializeToElement(person, Web);

        var shown = new List<(string Name, string Value)>();
        foreach (var property in json.EnumerateObject().Where(p => p.Name != "intent"))
        {
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                shown.AddRange(property.Value.EnumerateObject().Select(inner => ($"{property.Name}.{inner.Name}", inner.Value.ToString())));
            }
            else
            {
                shown.Add((property.Name, property.Value.ToString()));
            }
        }

        Assert.Equal(ResultFields.All.Select(f => f.Name), shown.Select(s => s.Name));
        Assert.All(shown, s => Assert.Equal(s.Name == "isDecisionMaker" ? "True" : $"value of {s.Name}", s.Value));
    }

    [Fact]
    public void The_results_page_reads_every_result_column_in_order()
    {
        var columns = ResultFields.All.Select(f => $"p.{f.Column}");

        Assert.Contains($"m.matched_topic_ids, {string.Join(", ", columns)}\n", RunResultsEndpoint.PageSql.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
