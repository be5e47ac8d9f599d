using Microsoft.AspNetCore.Http;

namespace Intent.ServiceDefaults.Envelope;

/// <summary>Builds envelopes for the current request.</summary>
public static class EnvelopeHttpContextExtensions
{
    public static Meta CreateMeta(this HttpContext context) =>
        new(TimeProvider.System.GetUtcNow().UtcDateTime, context.TraceIdentifier);

    public static DataEnvelope<T> Envelope<T>(this HttpContext context, T data) =>
        new(data, context.CreateMeta());

    public static ErrorEnvelope ErrorEnvelope(this HttpContext context, string code, string message, object? details = null) =>
        new(new ApiError(code, message, details), context.CreateMeta());

    /// <summary>Writes an error envelope with the given status code.</summary>
    public static Task WriteErrorAsync(this HttpContext context, int statusCode, string code, string message, object? details = null)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(context.ErrorEnvelope(code, message, details));
    }
}
