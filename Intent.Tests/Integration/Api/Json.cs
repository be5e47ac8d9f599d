using System.Net.Http.Json;
using System.Text.Json;

namespace Intent.Tests.Integration.Api;

/// <summary>Small helpers to call the API and read envelopes.</summary>
public static class Json
{
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = body is string raw ? new StringContent(raw, System.Text.Encoding.UTF8, "application/json") : JsonContent.Create(body);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static string ErrorCode(this JsonElement body) => body.GetProperty("error").GetProperty("code").GetString()!;

    public static JsonElement Data(this JsonElement body) => body.GetProperty("data");
}
