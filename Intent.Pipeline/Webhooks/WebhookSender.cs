using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// POSTs one signed event to one URL and classifies the answer. Connections are opened through
/// <see cref="WebhookTargets.ConnectAsync"/> (no proxy), redirects are not followed, each attempt
/// has <c>Webhooks__Timeout</c>, and the answer's body is never read.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private const string UserAgent = "Intent-Webhooks/1.0";
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _client;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _clock;

    public WebhookSender(IOptions<WebhookOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        var allowPrivate = _options.AllowPrivateTargets;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _options.Timeout,
            // Connections are checked when opened: renew them now and then, so a name that moves is checked again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, cancellationToken) => WebhookTargets.ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken),
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>One attempt: <paramref name="body"/> to <paramref name="url"/> with the Standard Webhooks headers.</summary>
    public async Task<WebhookAttempt> SendAsync(
        string url, string messageId, string body, string secret, string? previousSecret, CancellationToken cancellationToken)
    {
        var timestamp = _clock.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, Json) };

        // Values of our own making, valid by construction: not parsed again per attempt.
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignatures.Header(messageId, timestamp, body, secret, previousSecret));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return Classify(response, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(WebhookAttemptOutcome.Retryable, null, Stopwatch.GetElapsedTime(started), null, "TIMEOUT",
                $"No answer within {_options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookTargetRefusedException)
        {
            return new(WebhookAttemptOutcome.Permanent, null, Stopwatch.GetElapsedTime(started), null, "TARGET_REFUSED",
                "The URL resolves to an address webhooks may not reach.");
        }
        catch (HttpRequestException)
        {
            return new(WebhookAttemptOutcome.Retryable, null, Stopwatch.GetElapsedTime(started), null, "CONNECTION_FAILED",
                "The receiver could not be reached.");
        }
    }

    public void Dispose() => _client.Dispose();

    private static WebhookAttempt Classify(HttpResponseMessage response, TimeSpan duration)
    {
        var status = (int)response.StatusCode;
        return status switch
        {
            >= 200 and < 300 => new(WebhookAttemptOutcome.Delivered, status, duration, null, null, null),
            >= 300 and < 400 => new(WebhookAttemptOutcome.Permanent, status, duration, null, "REDIRECT",
                $"The receiver answered {status}; redirects are not followed."),
            408 or 429 or >= 500 => new(WebhookAttemptOutcome.Retryable, status, duration, RetryAfter(response), $"HTTP_{status}",
                $"The receiver answered {status}."),
            _ => new(WebhookAttemptOutcome.Permanent, status, duration, null, $"HTTP_{status}",
                $"The receiver answered {status}; not retried."),
        };
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
