using System.Net;
using Intent.Data.Catalog;

namespace Intent.Tests.Integration.Api;

[Collection(IntegrationGroup.Name)]
public sealed class TopicsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Topics_are_searched_by_name_and_filtered_by_type_industry_and_category()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var ids = await api.TopicsAsync(
            ($"CRM Software {marker}", TopicType.B2b, "Software", "Sales"),
            ($"CRM for Retail {marker}", TopicType.B2c, "Retail", "Sales"),
            ($"Payroll {marker}", TopicType.B2b, "Software", "HR"));

        var (response, body) = await api.Anonymous().SendAsync(HttpMethod.Get, $"/v1/intent/topics?q=crm%20{marker}&limit=10");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(body.Data().EnumerateArray());

        (_, body) = await api.Anonymous().SendAsync(HttpMethod.Get, $"/v1/intent/topics?q={marker}&type=b2b");
        var b2b = body.Data().EnumerateArray().ToList();
        Assert.Equal([ids[0], ids[2]], b2b.Select(t => t.GetProperty("topicId").GetInt32()).Order());
        Assert.All(b2b, t => Assert.Equal("b2b", t.GetProperty("type").GetString()));

        (_, body) = await api.Anonymous().SendAsync(HttpMethod.Get, $"/v1/intent/topics?q={marker}&industry=software&category=hr");
        var payroll = Assert.Single(body.Data().EnumerateArray());
        Assert.Equal(ids[2], payroll.GetProperty("topicId").GetInt32());
        Assert.Equal("HR", payroll.GetProperty("category").GetString());

        (_, body) = await api.Anonymous().SendAsync(HttpMethod.Get, $"/v1/intent/topics?q=CRM&type=both&limit=500");
        Assert.Contains(body.Data().EnumerateArray(), t => t.GetProperty("topicId").GetInt32() == ids[1]);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("type=b2x", "type")]
    public async Task Bad_parameters_answer_400_naming_the_parameter(string query, string field)
    {
        var (response, body) = await api.Anonymous().SendAsync(HttpMethod.Get, $"/v1/intent/topics?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", body.ErrorCode());
        Assert.StartsWith(field, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_numeric_limit_answers_400()
    {
        var (response, body) = await api.Anonymous().SendAsync(HttpMethod.Get, "/v1/intent/topics?limit=ten");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", body.ErrorCode());
    }
}
