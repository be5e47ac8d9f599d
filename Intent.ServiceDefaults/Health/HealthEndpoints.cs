using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Intent.ServiceDefaults.Health;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: every check tagged
/// <c>ready</c> (PostgreSQL, the bus) passes; otherwise 503 in the error envelope.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteAsync,
        }).ExcludeFromDescription().AllowAnonymous().DisableRateLimiting();

        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteAsync,
        }).ExcludeFromDescription().AllowAnonymous().DisableRateLimiting();

        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(
            entry => entry.Key,
            entry => new HealthCheckResponse(ToWord(entry.Value.Status), entry.Value.Description, entry.Value.Duration.TotalMilliseconds));

        if (report.Status == HealthStatus.Healthy)
        {
            return context.Response.WriteAsJsonAsync(context.Envelope(new HealthResponse(ToWord(report.Status), checks)));
        }

        var failing = string.Join(", ", checks.Where(c => c.Value.Status != "healthy").Select(c => $"{c.Key} is {c.Value.Status}"));
        return context.Response.WriteAsJsonAsync(context.ErrorEnvelope(
            "NOT_READY",
            $"The service is not ready: {failing}.",
            new HealthResponse(ToWord(report.Status), checks)));
    }

    private static string ToWord(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
