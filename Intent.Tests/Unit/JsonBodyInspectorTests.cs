using System.Text;
using Intent.Api.Input;

namespace Intent.Tests.Unit;

public sealed class JsonBodyInspectorTests
{
    private static InputProblem? Inspect(string json, int maxDepth = 16, int maxItems = 1000) =>
        JsonBodyInspector.Inspect(Encoding.UTF8.GetBytes(json), maxDepth, maxItems);

    [Theory]
    [InlineData("""{"name": "CRM buyers", "config": {"topicIds": [1, 2], "filters": {"role.seniority": {"values": ["vp"]}}}}""")]
    [InlineData("""{"name": "Caf\u00e9 \ud83d\ude00"}""")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Accepts_ordinary_bodies(string json) => Assert.Null(Inspect(json));

    [Theory]
    [InlineData("""{"name": "a\u0000"}""", "name", "NUL")]
    [InlineData("""{"config": {"filters": {"company.industries": {"values": ["ok", "b\u0000d"]}}}}""", "config.filters.company.industries.values[1]", "NUL")]
    [InlineData("""{"config": {"x\ud800": 1}}""", "config", "key that is not valid Unicode")]
    [InlineData("""{"config": {"filters": {"company.industries": {"values": ["\udc00"]}}}}""", "config.filters.company.industries.values[0]", "not valid Unicode")]
    [InlineData("""{"name": "a", "name": "b"}""", "name", "repeated")]
    [InlineData("""{"config": {"topicIds": [1], "topicIds": [2]}}""", "config.topicIds", "repeated")]
    [InlineData("""{"name": "a""", "body", "not valid JSON")]
    [InlineData("""{"a": 1,}""", "body", "not valid JSON")]
    public void Refuses_what_no_endpoint_can_store_and_names_the_field(string json, string field, string message)
    {
        var problem = Inspect(json);

        Assert.NotNull(problem);
        Assert.Equal(field, problem.Field);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_nesting_deeper_than_the_limit()
    {
        var json = new string('[', 5) + new string(']', 5);

        Assert.Null(Inspect(json, maxDepth: 5));
        var problem = Inspect("{\"config\":" + new string('[', 6) + new string(']', 6) + "}", maxDepth: 5);
        Assert.NotNull(problem);
        Assert.Contains("nested deeper than 5", problem.Message, StringComparison.Ordinal);
        Assert.StartsWith("config", problem.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_array_longer_than_the_limit_before_its_later_elements_are_read()
    {
        // The element after the limit is not even valid JSON: the inspector stops before reaching it.
        var json = """{"config": {"topicIds": [1, 2, 3, 4, "\ud800"]}}""";

        var problem = Inspect(json, maxItems: 3);

        Assert.NotNull(problem);
        Assert.Equal("config.topicIds", problem.Field);
        Assert.Equal("has more than 3 elements", problem.Message);
        Assert.Null(Inspect("""{"config": {"topicIds": [1, 2, 3]}}""", maxItems: 3));
    }

    [Fact]
    public void Refuses_an_object_with_more_keys_than_the_limit()
    {
        var json = "{\"config\": {" + string.Join(",", Enumerable.Range(0, 5).Select(i => $"\"k{i}\": {i}")) + "}}";

        var problem = Inspect(json, maxItems: 4);

        Assert.NotNull(problem);
        Assert.Equal("config", problem.Field);
        Assert.Equal("has more than 4 keys", problem.Message);
    }

    [Fact]
    public void Never_echoes_control_characters_or_long_keys_in_the_field_name()
    {
        var longKey = new string('k', 500);
        var problem = Inspect($$"""{"{{longKey}}\u0001": "a\u0000"}""");

        Assert.NotNull(problem);
        Assert.True(problem.Field.Length < 80);
        Assert.DoesNotContain(problem.Field, char.IsControl);
    }

    [Fact]
    public void Refuses_invalid_utf8_in_a_string()
    {
        var bytes = "{\"name\": \"a"u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("\"}"u8.ToArray()).ToArray();

        var problem = JsonBodyInspector.Inspect(bytes, 16, 1000);

        Assert.NotNull(problem);
    }
}
