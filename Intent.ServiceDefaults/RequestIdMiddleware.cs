using Microsoft.AspNetCore.Http;

namespace Intent.ServiceDefaults;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is a short token,
/// otherwise a new one. The id is the request's trace identifier (so it is in every log
/// line of the request), <c>meta.request_id</c> and the <c>X-Request-Id</c> response header.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-Id";

    public Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        context.TraceIdentifier = IsAcceptable(incoming) ? incoming : $"req_{Guid.NewGuid():N}";
        context.Response.Headers[HeaderName] = context.TraceIdentifier;
        return next(context);
    }

    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
