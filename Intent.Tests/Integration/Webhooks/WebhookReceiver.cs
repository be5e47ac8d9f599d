using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>
/// A real HTTP receiver (Kestrel on 127.0.0.1) for webhook tests: each path answers what its script
/// says (statuses in turn, then its default), records every request, and checks every signature of
/// it with the StandardWebhooks verifier against the secrets the test registered for the path.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Endpoint> _endpoints = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{name}", receiver.ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Port = new Uri(address).Port;
        return receiver;
    }

    /// <summary>A fresh path of this receiver, answering 200 until told otherwise.</summary>
    public string NewUrl(string scheme = "http", string host = "127.0.0.1") => $"{scheme}://{host}:{Port}/hooks/{Guid.NewGuid():N}";

    /// <summary>What the path answers: <paramref name="statuses"/> in turn (with <c>Retry-After</c> when given), then <paramref name="then"/>.</summary>
    public void Script(string url, IEnumerable<int> statuses, int then = 200, string? retryAfter = null)
    {
        var endpoint = For(url);
        endpoint.Script = new ConcurrentQueue<int>(statuses);
        endpoint.Default = then;
        endpoint.RetryAfter = retryAfter;
    }

    /// <summary>The secrets the path's requests are verified with.</summary>
    public void Secrets(string url, params string[] secrets) => For(url).Secrets = secrets;

    public IReadOnlyList<ReceivedWebhook> Received(string url) => [.. For(url).Requests];

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(string url, int count, TimeSpan? timeout = null) =>
        await Eventually.MatchAsync(() => Task.FromResult(Received(url)), r => r.Count >= count, timeout ?? TimeSpan.FromSeconds(60),
            $"{count} webhook requests at {url}");

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private Endpoint For(string url) => _endpoints.GetOrAdd(new Uri(url).AbsolutePath.Split('/').Last(), _ => new Endpoint());

    private async Task ReceiveAsync(HttpContext http, string name)
    {
        var endpoint = _endpoints.GetOrAdd(name, _ => new Endpoint());
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var status = endpoint.Script.TryDequeue(out var scripted) ? scripted : endpoint.Default;
        var signatures = http.Request.Headers["webhook-signature"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        endpoint.Requests.Enqueue(new ReceivedWebhook(
            http.Request.Headers["webhook-id"].ToString(),
            http.Request.Headers["webhook-timestamp"].ToString(),
            signatures,
            http.Request.ContentType,
            body,
            DateTime.UtcNow,
            status,
            [.. endpoint.Secrets.Where(secret => signatures.Any(signature => Verifies(secret, signature, http.Request.Headers, body)))]));
        http.Response.StatusCode = status;
        if (endpoint.RetryAfter is { } retryAfter && status is 429 or 503)
        {
            http.Response.Headers.RetryAfter = retryAfter;
        }
    }

    // StandardWebhooks 1.1.2 checks only the first of several space-separated signatures (docs/decisions/0011), so each is verified on its own.
    private static bool Verifies(string secret, string signature, IHeaderDictionary headers, string body)
    {
        var one = new HeaderDictionary
        {
            ["webhook-id"] = headers["webhook-id"],
            ["webhook-timestamp"] = headers["webhook-timestamp"],
            ["webhook-signature"] = signature,
        };
        try
        {
            new StandardWebhook(secret).Verify(body, one);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    private sealed class Endpoint
    {
        public ConcurrentQueue<int> Script { get; set; } = new();

        public int Default { get; set; } = 200;

        public string? RetryAfter { get; set; }

        public string[] Secrets { get; set; } = [];

        public ConcurrentQueue<ReceivedWebhook> Requests { get; } = new();
    }
}
