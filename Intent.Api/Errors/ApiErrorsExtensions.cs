using Intent.ServiceDefaults.Envelope;

namespace Intent.Api.Errors;

/// <summary>Every 4xx and 5xx the API answers carries the error envelope.</summary>
public static class ApiErrorsExtensions
{
    public static IHostApplicationBuilder AddApiErrors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddProblemDetails();
        // Binding failures (malformed JSON, wrong content type) throw, so the exception handler answers them.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var (code, message) = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ("NOT_FOUND", "No such resource."),
                StatusCodes.Status405MethodNotAllowed => ("METHOD_NOT_ALLOWED", $"{http.Request.Method} is not allowed here."),
                StatusCodes.Status415UnsupportedMediaType => ("UNSUPPORTED_MEDIA_TYPE", "The request body must be application/json."),
                StatusCodes.Status401Unauthorized => ("UNAUTHORIZED", "A valid token is required."),
                >= 500 => ("INTERNAL_ERROR", "An unexpected error occurred."),
                _ => ("BAD_REQUEST", "The request could not be processed."),
            };
            await http.Response.WriteAsJsonAsync(http.ErrorEnvelope(code, message));
        });
        return app;
    }
}
