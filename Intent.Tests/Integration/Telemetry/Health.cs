using System.Net;
using System.Text.Json;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>Reads a host's readiness answer.</summary>
public static class Health
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>One check of a readiness answer (under <c>data</c> when ready, <c>error.details</c> when not).</summary>
    public static JsonElement Check(JsonElement body, string name) =>
        (body.TryGetProperty("data", out var data) ? data : body.GetProperty("error").GetProperty("details"))
            .GetProperty("checks").GetProperty(name);
}
