using System.Text.Json;

namespace Intent.Tests.Integration.Api;

/// <summary>Clients generated from the OpenAPI document know every error an operation can answer, and its envelope.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class OpenApiErrorsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly Dictionary<string, string[]> Specific = new(StringComparer.Ordinal)
    {
        ["CreateAudience"] = ["403"],
        ["UpdateAudience"] = ["403"],
        ["QueueRun"] = ["422"],
        ["CancelRun"] = ["409"],
        ["GetRunResults"] = ["409"],
        ["GetRunStats"] = ["409"],
        ["GetRunCsv"] = ["409"],
        ["RequestRunExport"] = ["409"],
        ["DownloadExport"] = ["403", "410"],
        ["AnalyzeTopics"] = ["501"],
        ["PreviewAudience"] = ["409", "503"],
    };

    [Fact]
    public async Task Every_operation_lists_its_error_responses_with_the_error_envelope()
    {
        using var document = JsonDocument.Parse(await api.Anonymous().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var operations = 0;
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var id = operation.Value.GetProperty("operationId").GetString()!;
                var responses = operation.Value.GetProperty("responses");
                var expected = new List<string> { "400", "429" };
                if (operation.Value.TryGetProperty("security", out _))
                {
                    expected.Add("401");
                }

                if (path.Name.Contains('{', StringComparison.Ordinal))
                {
                    expected.Add("404");
                }

                if (operation.Value.TryGetProperty("requestBody", out _))
                {
                    expected.AddRange(["413", "415"]);
                }

                expected.AddRange(Specific.GetValueOrDefault(id, []));
                foreach (var status in expected)
                {
                    Assert.True(responses.TryGetProperty(status, out var response), $"{id} does not list {status}");
                    var schema = response.GetProperty("content").GetProperty("application/json").GetProperty("schema");
                    Assert.True(schema.GetProperty("$ref").GetString()!.EndsWith("/ErrorEnvelope", StringComparison.Ordinal), $"{id} {status} is not the error envelope");
                }
            }
        }

        Assert.True(operations >= 15, $"expected the API's operations, found {operations}");
        var audiences = document.RootElement.GetProperty("paths").GetProperty("/v1/intent/audiences").GetProperty("post");
        Assert.True(audiences.TryGetProperty("security", out _), "private operations declare their authentication");
        Assert.False(document.RootElement.GetProperty("paths").GetProperty("/v1/intent/topics").GetProperty("get").TryGetProperty("security", out _));
    }

    [Theory]
    [InlineData("/v1/intent/audiences/validate", "post", true)]
    [InlineData("/v1/intent/audiences/preview", "post", true)]
    [InlineData("/v1/intent/audiences/filters", "get", false)]
    public async Task The_audience_builder_s_operations_carry_examples_of_their_answers(string path, string method, bool takesBody)
    {
        using var document = JsonDocument.Parse(await api.Anonymous().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);

        var answer = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal(JsonValueKind.Object, answer.GetProperty("data").ValueKind);
        if (takesBody)
        {
            var example = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
            Assert.True(example.TryGetProperty("topicIds", out _), "the request example is Orbit's body: the config at the top level");
        }
    }
}
