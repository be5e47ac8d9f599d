using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Intent.Tests.Integration.Api;

/// <summary>An API whose rate limits stay out of the way of a few hundred hostile requests.</summary>
public sealed class UnlimitedApiFixture() : ApiFixture(new Dictionary<string, string?>
{
    ["RateLimits:PerOrganizationPerMinute"] = "100000",
    ["RateLimits:PerAddressPerMinute"] = "100000",
    ["RateLimits:ExpensivePerOrganizationPerMinute"] = "100000",
});

/// <summary>
/// The same hostile list goes to every route the API maps (found from its endpoint data source, so a
/// new route joins by itself): each answer is a 4xx error envelope under 64 KB that tells nothing
/// internal, and nothing is written.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed partial class HostileInputTests(UnlimitedApiFixture api) : IClassFixture<UnlimitedApiFixture>
{
    private const int MaxAnswerBytes = 64 * 1024;

    private static readonly string[] Leaks = ["Npgsql", "SELECT", "INSERT", "Exception", "   at ", "/work", "/tmp", "/home", "System."];

    [Fact]
    public async Task Every_route_answers_every_hostile_input_with_a_small_4xx_envelope_and_writes_nothing()
    {
        var (client, organizationId, _) = await api.CallerAsync();
        var topics = await api.TopicsAsync(2);
        var (created, createdBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences",
            new { name = "target", status = "draft", config = new { topicIds = topics } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audienceId = createdBody.Data().GetProperty("id").GetGuid();
        var (queued, queuedBody) = await client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audienceId}/runs", new { runType = "manual" });
        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
        var runId = queuedBody.Data().GetProperty("id").GetGuid();
        // A webhook of the caller with a delivery in its log, written directly: no URL of it is ever sent to (no worker, and it is disabled).
        var (webhookId, deliveryId) = (Guid.NewGuid(), Guid.NewGuid());
        await using (var db = api.Database.CreateDbContext())
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO webhooks (id, organization_id, url, events, enabled, secret, consecutive_failures, created_at, updated_at)
                VALUES ({webhookId}, {organizationId}, 'https://127.0.0.1:9/hooks', ARRAY['run.queued'], false, 'whsec_AAAA', 0, now(), now());
                INSERT INTO webhook_events (id, organization_id, type, payload, created_at) VALUES ({deliveryId}, {organizationId}, 'run.queued', 'null', now());
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, created_at, updated_at)
                VALUES ({deliveryId}, {webhookId}, {deliveryId}, 'run.queued', 'failed', 1, now(), now());
                """);
        }

        var ids = new Dictionary<string, string>
        {
            ["id"] = audienceId.ToString(), ["runId"] = runId.ToString(), ["exportId"] = Guid.NewGuid().ToString(), ["topicId"] = topics[0].ToString(CultureInfo.InvariantCulture),
            ["webhookId"] = webhookId.ToString(), ["deliveryId"] = deliveryId.ToString(),
        };

        var before = await FingerprintAsync(organizationId);
        var routes = api.Endpoints().SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Endpoint: e))).ToList();
        Assert.True(routes.Count >= 15, $"expected the API's routes, found {routes.Count}");
        var failures = new List<string>();
        var sent = 0;
        foreach (var (method, endpoint) in routes)
        {
            foreach (var hostile in Cases(endpoint, ids))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), hostile.Path);
                if (hostile.Body is { } body)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", hostile.ContentType);
                }

                using var response = await client.SendAsync(request);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                sent++;
                if (Judge(endpoint, response, bytes) is { } problem)
                {
                    failures.Add($"{method} {endpoint.RoutePattern.RawText} [{hostile.Name}]: {problem}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} hostile requests were mishandled:\n{string.Join('\n', failures.Take(40))}");
        Assert.Equal(before, await FingerprintAsync(organizationId));
    }

    [Fact]
    public async Task The_hand_found_cases_answer_400_naming_the_field()
    {
        var (client, _, _) = await api.CallerAsync();
        var topics = await api.TopicsAsync(1);
        var (createdResponse, createdBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "fine", config = new { topicIds = topics } });
        Assert.Equal(HttpStatusCode.Created, createdResponse.StatusCode);
        var audienceId = createdBody.Data().GetProperty("id").GetGuid();

        var (topicsResponse, topicsBody) = await api.Anonymous().SendAsync(HttpMethod.Get, "/v1/intent/topics?q=%00");
        AssertField(topicsResponse, topicsBody, "q");

        var nulName = $$$"""{"name": "a\u0000", "config": {"topicIds": [{{{topics[0]}}}]}}""";
        var (create, createBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", nulName);
        AssertField(create, createBody, "name");
        var (patch, patchBody) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{audienceId}", """{"name": "a\u0000"}""");
        AssertField(patch, patchBody, "name");

        var surrogateKey = $$$"""{"name": "x", "config": {"topicIds": [{{{topics[0]}}}], "\ud800": 1}}""";
        var (key, keyBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", surrogateKey);
        AssertField(key, keyBody, "config");
        var surrogateValue = "{\"config\": {\"topicIds\": [" + topics[0] + "], " + "\"filters\": {\"company.industries\": {\"values\": [\"\\ud800\"]}}}}";
        var (value, valueBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", surrogateValue);
        AssertField(value, valueBody, "config.filters.company.industries.values[0]");

        var controlName = $$$"""{"name": "line\nbreak", "config": {"topicIds": [{{{topics[0]}}}]}}""";
        var (control, controlBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", controlName);
        AssertField(control, controlBody, "name");
    }

    [Fact]
    public async Task Validate_lists_at_most_20_errors_with_their_total_and_refuses_long_arrays_unread()
    {
        var (client, _, _) = await api.CallerAsync();

        var unknownKeys = "{\"config\": {" + string.Join(", ", Enumerable.Range(0, 900).Select(i => $"\"k{i}\": 1")) + "}}";
        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", unknownKeys);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body.Data().GetProperty("valid").GetBoolean());
        Assert.Equal(20, body.Data().GetProperty("errors").GetArrayLength());
        Assert.Equal(901, body.Data().GetProperty("errorCount").GetInt32());

        var (create, createBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", "{\"name\": \"x\", " + unknownKeys[1..]);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Equal(20, createBody.GetProperty("error").GetProperty("details").GetProperty("errors").GetArrayLength());
        Assert.Equal(901, createBody.GetProperty("error").GetProperty("details").GetProperty("errorCount").GetInt32());

        var ids = "{\"config\": {\"topicIds\": [" + string.Join(", ", Enumerable.Range(1, 500)) + "]}}";
        var (longArray, longArrayBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", ids);
        Assert.Equal(HttpStatusCode.OK, longArray.StatusCode);
        var errors = longArrayBody.Data().GetProperty("errors");
        Assert.Equal(1, errors.GetArrayLength());
        Assert.Equal("config.topicIds", errors[0].GetProperty("field").GetString());

        var huge = "{\"config\": {\"topicIds\": [" + string.Join(", ", Enumerable.Range(1, 2000)) + "]}}";
        var (tooMany, tooManyBody) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", huge);
        AssertField(tooMany, tooManyBody, "config.topicIds");
    }

    [Fact]
    public async Task A_body_over_the_limit_answers_413_in_the_envelope()
    {
        var (client, _, _) = await api.CallerAsync();
        var name = new string('n', 300 * 1024);

        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", $$"""{"name": "{{name}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("PAYLOAD_TOO_LARGE", body.ErrorCode());
    }

    private static void AssertField(HttpResponseMessage response, JsonElement body, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", body.ErrorCode());
        var errors = body.GetProperty("error").GetProperty("details").GetProperty("errors");
        Assert.Contains(errors.EnumerateArray(), e => e.GetProperty("field").GetString() == field);
    }

    private static string? Judge(RouteEndpoint endpoint, HttpResponseMessage response, byte[] bytes)
    {
        if (bytes.Length >= MaxAnswerBytes)
        {
            return $"answer of {bytes.Length} bytes";
        }

        var status = (int)response.StatusCode;
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(bytes).RootElement;
        }
        catch (JsonException)
        {
            return $"{status} without a JSON envelope";
        }

        var text = Encoding.UTF8.GetString(bytes);
        if (Leaks.FirstOrDefault(leak => text.Contains(leak, StringComparison.Ordinal)) is { } leaked)
        {
            return $"{status} answer mentions '{leaked}': {text[..Math.Min(300, text.Length)]}";
        }

        // Validate reports a config's problems in a 200 body (valid: false); the request itself was fine.
        if (status == 200 && endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "ValidateAudienceConfig"
            && body.GetProperty("data").GetProperty("valid").GetBoolean() is false)
        {
            return null;
        }

        if (status is < 400 or >= 500)
        {
            return $"status {status}: {text[..Math.Min(300, text.Length)]}";
        }

        return body.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code) && ErrorCode().IsMatch(code.GetString() ?? "")
            ? null
            : $"{status} without an error envelope: {text[..Math.Min(300, text.Length)]}";
    }

    private sealed record Hostile(string Name, string Path, byte[]? Body = null, string ContentType = "application/json");

    private static IEnumerable<Hostile> Cases(RouteEndpoint endpoint, Dictionary<string, string> ids)
    {
        var parameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList();
        string PathWith(Func<string, string> value) =>
            "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => value(parameter.Name),
                _ => "",
            }))));
        var path = PathWith(name => ids.TryGetValue(name, out var id) ? id : "v1");

        // A NUL in the path never reaches the application: Kestrel refuses it while parsing the request line.
        foreach (var bad in new[] { "not-a-uuid", "00000000-0000-0000-0000-00000000000g", "%ED%A0%80", new string('9', 5000) })
        {
            foreach (var parameter in parameters)
            {
                yield return new($"path {parameter}={bad[..Math.Min(12, bad.Length)]}", PathWith(name => name == parameter ? bad : ids.GetValueOrDefault(name, "v1")));
            }
        }

        yield return new("NUL in a query value", $"{path}?q=%00");
        yield return new("NUL in a query name", $"{path}?a%00b=1");
        yield return new("huge query value", $"{path}?q={new string('q', 5000)}");
        foreach (var numeric in NumericQueryParameters(endpoint))
        {
            yield return new($"huge number {numeric}", $"{path}?{numeric}=99999999999999999999999");
            yield return new($"wrong type {numeric}", $"{path}?{numeric}=abc");
            yield return new($"NUL {numeric}", $"{path}?{numeric}=1%00");
        }

        // Every JSON body is inspected before any endpoint runs, whether or not the route takes one.
        yield return new("NUL in text", path, Utf8("""{"name": "a\u0000", "runType": "manual\u0000", "config": {"topicIds": [1]}}"""));
        yield return new("unpaired surrogate value", path, Utf8("""{"name": "\ud800", "config": {"topicIds": [1]}}"""));
        yield return new("unpaired surrogate key", path, Utf8("""{"config": {"topicIds": [1], "\udfff": 1}}"""));
        yield return new("huge array", path, Utf8("{\"config\": {\"topicIds\": [" + string.Join(",", Enumerable.Repeat("1", 30_000)) + "]}}"));
        yield return new("huge filter values", path, Utf8("{\"config\": {\"topicIds\": [1], \"filters\": {\"company.industries\": {\"values\": ["
            + string.Join(",", Enumerable.Repeat("\"x\"", 20_000)) + "]}}}}"));
        yield return new("huge string", path, Utf8($$"""{"name": "{{new string('s', 400_000)}}"}"""));
        yield return new("deep nesting", path, Utf8("{\"config\": " + new string('[', 2000) + new string(']', 2000) + "}"));
        yield return new("repeated keys", path, Utf8("""{"name": "a", "name": "b", "config": {"topicIds": [1]}}"""));
        yield return new("not JSON", path, Utf8("{\"name\": "));

        if (!AcceptsJson(endpoint))
        {
            yield break;
        }

        yield return new("wrong types", path, Utf8("""{"name": 5, "status": [], "dailyRefreshEnabled": "yes", "readyEmailRecipients": "a", "runType": 7, "config": 5}"""));
        yield return new("huge numbers", path, Utf8("""{"name": 1e400, "runType": 1e400, "config": {"topicIds": [1e400], "minScore": 99999999999999999999}}"""));
        yield return new("array body", path, Utf8("[1, 2, 3]"));
        yield return new("string body", path, Utf8("\"text\""));
        yield return new("text/plain", path, Utf8("""{"name": "a", "config": {"topicIds": [1]}}"""), "text/plain");
        yield return new("xml", path, Utf8("<name>a</name>"), "application/xml");
        yield return new("form", path, Utf8("name=a"), "application/x-www-form-urlencoded");
    }

    private static bool AcceptsJson(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetOrderedMetadata<IAcceptsMetadata>().Any(a => a.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)));

    private static IEnumerable<string> NumericQueryParameters(RouteEndpoint endpoint)
    {
        var method = endpoint.Metadata.GetMetadata<MethodInfo>();
        var routeNames = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return method is null
            ? []
            : method.GetParameters()
                .Where(p => !routeNames.Contains(p.Name!) && (Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType) is var t && (t == typeof(int) || t == typeof(long)))
                .Select(p => p.Name!);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<string> FingerprintAsync(Guid organizationId)
    {
        await using var db = api.Database.CreateDbContext();
        return (await db.Database.SqlQueryRaw<string>(
            """
            SELECT concat_ws('/',
                (SELECT md5(coalesce(string_agg(a::text, '|' ORDER BY a.id), '')) FROM audiences a WHERE a.organization_id = {0}),
                (SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r.id), '')) FROM audience_runs r WHERE r.organization_id = {0}),
                (SELECT md5(coalesce(string_agg(e::text, '|' ORDER BY e.id), '')) FROM audience_exports e WHERE e.organization_id = {0}),
                (SELECT md5(coalesce(string_agg(w::text, '|' ORDER BY w.id), '')) FROM webhooks w WHERE w.organization_id = {0}),
                (SELECT md5(coalesce(string_agg(d::text, '|' ORDER BY d.id), '')) FROM webhook_deliveries d
                 WHERE d.webhook_id IN (SELECT id FROM webhooks WHERE organization_id = {0})),
                (SELECT count(*) FROM webhook_events WHERE organization_id = {0}),
                (SELECT count(*) FROM outbox_message)) AS "Value"
            """, organizationId).ToListAsync()).Single();
    }

    [GeneratedRegex("^[A-Z][A-Z_]*$")]
    private static partial Regex ErrorCode();
}
