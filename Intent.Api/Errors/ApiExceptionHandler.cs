using System.Net.Sockets;
using Intent.Api.Auth;
using Intent.Data.Audiences;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Intent.Api.Errors;

/// <summary>The one place where exceptions become error envelopes.</summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, message, details) = Classify(exception);
        // 501 refuses what this service does not offer, by design: not a failure to log as one.
        if (status >= StatusCodes.Status500InternalServerError && status != StatusCodes.Status501NotImplemented)
        {
            logger.LogError(exception, "Request failed with {StatusCode} {Code}", status, code);
        }
        else if (code == SlotsFull)
        {
            logger.LogInformation("Audience activation refused: no free active-audience slot in organization {OrganizationId}",
                httpContext.User.FindFirst(TokenAuthenticationHandler.OrganizationClaim)?.Value);
        }

        await httpContext.WriteErrorAsync(status, code, message, details);
        return true;
    }

    private static (int Status, string Code, string Message, object? Details) Classify(Exception exception) => exception switch
    {
        ApiException known => (known.StatusCode, known.Code, known.Message, known.Details),
        _ when AudienceSlots.IsSlotsFull(exception, out var slots) => (StatusCodes.Status403Forbidden, SlotsFull, SlotsFullMessage(slots), null),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            (StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "The request body must be application/json.", null),
        BadHttpRequestException bad =>
            (bad.StatusCode, "VALIDATION_ERROR", DescribeBadRequest(bad), null),
        _ when IsDatabaseUnavailable(exception) =>
            (StatusCodes.Status503ServiceUnavailable, "SERVICE_UNAVAILABLE", "The database is not reachable; try again shortly.", null),
        _ => (StatusCodes.Status500InternalServerError, "INTERNAL_ERROR", "An unexpected error occurred.", null),
    };

    private const string SlotsFull = "SLOTS_FULL";

    private static string SlotsFullMessage(int? slots) =>
        $"All {(slots is { } count ? $"{count} " : "")}active-audience slots of your organization are in use; pause or delete an active audience first.";

    private static string DescribeBadRequest(BadHttpRequestException exception) => exception.InnerException switch
    {
        System.Text.Json.JsonException { Path: { Length: > 1 } path } => $"The request body has a value of the wrong type or form at {path}.",
        System.Text.Json.JsonException => "The request body is not valid JSON.",
        _ => exception.Message,
    };

    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException { IsTransient: true } or SocketException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
