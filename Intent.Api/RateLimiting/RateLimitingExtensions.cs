using System.Globalization;
using System.Threading.RateLimiting;
using Intent.Api.Auth;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.RateLimiting;

namespace Intent.Api.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter, partitioned by organization for authenticated callers and by client
/// address otherwise. Over a limit: 429 <c>RATE_LIMITED</c> in the envelope with <c>Retry-After</c>.
/// </summary>
public static class RateLimitingExtensions
{
    private const int RetryAfterWhenBusySeconds = 5;

    public static IHostApplicationBuilder AddIntentRateLimits(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(RateLimitOptions.Section);
        builder.Services.AddOptions<RateLimitOptions>().Bind(section)
            .Validate(o => o.PerOrganizationPerMinute > 0 && o.PerAddressPerMinute > 0 && o.ExpensivePerOrganizationPerMinute > 0 && o.CsvStreamsPerOrganization > 0,
                "Rate limits must be positive.")
            .ValidateOnStart();
        var limits = section.Get<RateLimitOptions>() ?? new RateLimitOptions();

        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                Organization(http) is { } organization
                    ? RateLimitPartition.GetTokenBucketLimiter($"org:{organization}", _ => PerMinute(limits.PerOrganizationPerMinute))
                    : RateLimitPartition.GetTokenBucketLimiter($"ip:{Address(http)}", _ => PerMinute(limits.PerAddressPerMinute)));

            options.AddPolicy(RateLimitPolicies.Expensive, http =>
                RateLimitPartition.GetTokenBucketLimiter(Organization(http) ?? $"ip:{Address(http)}", _ => PerMinute(limits.ExpensivePerOrganizationPerMinute)));

            options.AddPolicy(RateLimitPolicies.CsvStream, http =>
                RateLimitPartition.Get(Organization(http) ?? $"ip:{Address(http)}", _ => RateLimiter.CreateChained(
                    new TokenBucketRateLimiter(PerMinute(limits.ExpensivePerOrganizationPerMinute)),
                    new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = limits.CsvStreamsPerOrganization, QueueLimit = 0 }))));

            options.OnRejected = RejectAsync;
        });
        return builder;
    }

    private static TokenBucketRateLimiterOptions PerMinute(int limit) => new()
    {
        TokenLimit = limit,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerMinute / limit)),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static string? Organization(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(TokenAuthenticationHandler.OrganizationClaim)?.Value : null;

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : RetryAfterWhenBusySeconds;
        var http = context.HttpContext;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimitingExtensions))
            .LogInformation("Rate limited {Method} {Route}; retry after {RetryAfterSeconds} s", http.Request.Method,
                (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText, seconds);
        await http.WriteErrorAsync(StatusCodes.Status429TooManyRequests, "RATE_LIMITED",
            $"Too many requests; retry after {seconds} seconds.", new { retryAfterSeconds = seconds });
    }
}
