using System.Buffers;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Intent.Api.Input;

/// <summary>
/// The API's first line against hostile input, before authentication and model binding: bodies over
/// the size limit answer 413; a JSON body is read once into memory (at most the limit) and refused with
/// 400 when <see cref="JsonBodyInspector"/> finds a problem; query values with NUL or beyond the length
/// limit answer 400. What passes reaches the endpoint unchanged.
/// </summary>
public sealed class RequestInputGuard(RequestDelegate next, IOptions<InputLimits> options, ILogger<RequestInputGuard> logger)
{
    private readonly InputLimits _limits = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (CheckQuery(context.Request.Query) is { } queryProblem)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "VALIDATION_ERROR", queryProblem);
            return;
        }

        var request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            await next(context);
            return;
        }

        if (request.ContentLength > _limits.MaxBodyBytes)
        {
            await RefuseTooLargeAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _limits.MaxBodyBytes;
        }

        if (!request.HasJsonContentType())
        {
            await next(context);
            return;
        }

        var body = await ReadBoundedAsync(request.Body, _limits.MaxBodyBytes + 1, context.RequestAborted);
        if (body is null)
        {
            await RefuseTooLargeAsync(context);
            return;
        }

        if (JsonBodyInspector.Inspect(body.Value.Span, _limits.MaxDepth, _limits.MaxItems) is { } problem)
        {
            logger.LogInformation("Refused a JSON body: {Field} {Problem}", problem.Field, problem.Message);
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "VALIDATION_ERROR", problem);
            return;
        }

        request.Body = new MemoryStream(body.Value.ToArray(), writable: false);
        request.ContentLength = body.Value.Length;
        await next(context);
    }

    private InputProblem? CheckQuery(IQueryCollection query)
    {
        foreach (var (key, values) in query)
        {
            var name = key.Length > 64 || key.Any(char.IsControl) ? "query" : key;
            if (key.Contains('\0', StringComparison.Ordinal))
            {
                return new InputProblem("query", "has a parameter name containing a NUL character");
            }

            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                if (value.Contains('\0', StringComparison.Ordinal))
                {
                    return new InputProblem(name, "must not contain NUL characters");
                }

                if (value.Length > _limits.MaxQueryValueLength)
                {
                    return new InputProblem(name, $"must be at most {_limits.MaxQueryValueLength} characters");
                }
            }
        }

        return null;
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(Stream body, int max, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(max, 16 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(Math.Min(16 * 1024, max - buffer.WrittenCount + 1));
            int read;
            try
            {
                read = await body.ReadAsync(memory, cancellationToken);
            }
            catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return null;
            }

            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount >= max)
            {
                return null;
            }
        }
    }

    private Task RefuseTooLargeAsync(HttpContext context) =>
        RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE",
            new InputProblem("body", $"must be at most {_limits.MaxBodyBytes} bytes"));

    private static Task RefuseAsync(HttpContext context, int status, string code, InputProblem problem) =>
        context.WriteErrorAsync(status, code, $"{problem.Field} {problem.Message}.", new { errors = new[] { problem }, errorCount = 1 });
}
