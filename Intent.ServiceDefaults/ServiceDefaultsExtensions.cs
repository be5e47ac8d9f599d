using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intent.ServiceDefaults;

/// <summary>Wiring every Intent host shares.</summary>
public static class ServiceDefaultsExtensions
{
    private static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Structured console logging and the health check service.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddJsonConsole(json =>
        {
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            json.IncludeScopes = true;
        });

        builder.Services.AddHealthChecks();
        // A check against an unreachable server must answer "not ready" quickly, not after a connect timeout.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                if (registration.Timeout == Timeout.InfiniteTimeSpan || registration.Timeout > HealthCheckTimeout)
                {
                    registration.Timeout = HealthCheckTimeout;
                }
            }
        });
        return builder;
    }

    /// <summary>Gives every request an id (<see cref="RequestIdMiddleware"/>); call it first.</summary>
    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestIdMiddleware>();
}
