using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Intent.ServiceDefaults.Envelope;

/// <summary>Builds envelopes for the current request.</summary>
public static class EnvelopeHttpContextExtensions
{
    public static Meta CreateMeta(this HttpContext context) =>
        new(TimeProvider.System.GetUtcNow().UtcDateTime, context.TraceIdentifier);

    public static DataEnvelope<T> Envelope<T>(this HttpContext context, T data) =>
        new(data, context.CreateMeta());

    /// <summary>The label under which a refused or failed request's error code joins <c>http.server.request.duration</c>.</summary>
    public const string ErrorCodeTag = "intent.error.code";

    /// <summary>
    /// The error envelope of this request. Its code, one of a fixed set, also labels the request in
    /// ASP.NET Core's <c>http.server.request.duration</c>, so refusals (rate limits, the input guard,
    /// full slots, ...) can be counted by reason.
    /// </summary>
    public static ErrorEnvelope ErrorEnvelope(this HttpContext context, string code, string message, object? details = null)
    {
        if (context.Features.Get<IHttpMetricsTagsFeature>() is { } metricsTags && !metricsTags.Tags.Any(t => t.Key == ErrorCodeTag))
        {
            metricsTags.Tags.Add(new(ErrorCodeTag, code));
        }

        return new(new ApiError(code, message, details), context.CreateMeta());
    }

    /// <summary>Writes an error envelope with the given status code.</summary>
    public static Task WriteErrorAsync(this HttpContext context, int statusCode, string code, string message, object? details = null)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(context.ErrorEnvelope(code, message, details));
    }
}
