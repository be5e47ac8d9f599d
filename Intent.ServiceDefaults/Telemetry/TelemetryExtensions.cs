using System.Diagnostics.Metrics;
using Intent.Messaging.Diagnostics;
using MassTransit.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Intent.ServiceDefaults.Telemetry;

/// <summary>OpenTelemetry for every Intent host: traces, metrics, Prometheus text, OTLP on request, trace ids in logs.</summary>
public static class TelemetryExtensions
{
    /// <summary>Where each host serves its metrics as Prometheus text.</summary>
    public const string MetricsPath = "/metrics";

    // Npgsql labels its series with the connection string (host, database, user) and the server's address;
    // /metrics is public, so only the labels that say nothing of the deployment stay.
    private static readonly string[] NpgsqlLabels = ["db.client.connection.state", "db.system.name", "error.type"];

    // Instruments recorded several times in every request, for questions the kept ones answer already (a request's
    // duration and outcome by route and status, refusals by error code, a command's duration): each recording costs
    // the request CPU, and together they were most of what telemetry costs the API (`./intent bench telemetry`).
    private static readonly string[] DroppedInstruments =
    [
        "aspnetcore.memory_pool.", "aspnetcore.routing.", "aspnetcore.authentication.", "aspnetcore.authorization.",
        "aspnetcore.rate_limiting.", "db.client.operation.npgsql.",
    ];

    /// <summary>
    /// Traces (ASP.NET Core, HttpClient, Npgsql, MassTransit's <c>MassTransit</c> source, which carries a
    /// message's trace through the outbox and the broker) and metrics (the same, the .NET runtime and
    /// <see cref="OutboxMetrics"/>), served at <see cref="MetricsPath"/> once <see cref="MapIntentMetrics"/>
    /// maps it. The standard variables work as the OpenTelemetry SDK documents them:
    /// <c>OTEL_SERVICE_NAME</c> (default <paramref name="defaultServiceName"/>), <c>OTEL_RESOURCE_ATTRIBUTES</c>,
    /// <c>OTEL_TRACES_SAMPLER</c> and <c>OTEL_TRACES_SAMPLER_ARG</c>; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// (with the other <c>OTEL_EXPORTER_OTLP_*</c>) turns on OTLP export of traces, metrics and logs, and
    /// nothing is exported over OTLP without it; <c>OTEL_SDK_DISABLED=true</c> turns all of it off (no-op providers,
    /// an empty <see cref="MetricsPath"/>). JSON log lines carry the current trace and span ids.
    /// Without an OTLP endpoint and without <c>OTEL_TRACES_SAMPLER</c> no span is recorded, as none would go anywhere, and
    /// nothing listens to ASP.NET Core's, HttpClient's or Npgsql's spans, nor to MassTransit's unless the host
    /// <paramref name="consumesMessages"/>: trace context still propagates (HTTP, the outbox, the broker), so logs of one
    /// run share its trace id. A host that adds an exporter of its own sets a sampler and
    /// <see cref="AddIntentInstrumentation"/> to have spans recorded.
    /// </summary>
    public static IHostApplicationBuilder AddIntentTelemetry(this IHostApplicationBuilder builder, string defaultServiceName, bool consumesMessages, params string[] meters)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.Configure(logging =>
            logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var telemetry = builder.Services.AddOpenTelemetry()
            // The variables come last so that OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default name.
            .ConfigureResource(resource => resource.AddService(defaultServiceName).AddEnvironmentVariableDetector())
            .WithTracing(tracing =>
            {
                if (SpansWanted(builder.Configuration))
                {
                    tracing.AddIntentInstrumentation();
                    return;
                }

                tracing.SetSampler(new AlwaysOffSampler());
                if (consumesMessages)
                {
                    // Unrecorded, MassTransit's consume activities still continue the trace context a message carries.
                    tracing.AddSource(DiagnosticHeaders.DefaultListenerName);
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(DiagnosticHeaders.DefaultListenerName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddView(LibraryMetricView)
                .AddPrometheusExporter());

        // The outbox meter comes from this host's IMeterFactory: only this host's instruments, even beside other hosts in one process.
        foreach (var meter in meters.Append(OutboxMetrics.MeterName).Append(ErrorQueueDepth.MeterName))
        {
            builder.Metrics.EnableMetrics(meter, instrumentName: null, listenerName: null, scopes: MeterScope.Local);
        }
        // Create the outbox instruments with the provider, so its gauges report before this host relays or consumes anything.
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, _) => services.GetService<OutboxMetrics>());

        if (OtlpConfigured(builder.Configuration))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// The spans of MassTransit, ASP.NET Core (operator routes left out), HttpClient and Npgsql. <see cref="AddIntentTelemetry"/> adds
    /// them when spans are recorded; a host that records spans by other means (an exporter of its own) adds them with it.
    /// </summary>
    public static TracerProviderBuilder AddIntentInstrumentation(this TracerProviderBuilder tracing) =>
        tracing
            .AddSource(DiagnosticHeaders.DefaultListenerName)
            .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = http => !IsOperatorPath(http.Request.Path))
            .AddHttpClientInstrumentation()
            .AddNpgsql();

    /// <summary>
    /// Serves this host's metrics as Prometheus text at <see cref="MetricsPath"/>: public (scrapers carry
    /// no token), never rate limited, not in the OpenAPI document.
    /// </summary>
    public static IEndpointConventionBuilder MapIntentMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();

    /// <summary>
    /// How an instrument of the libraries is recorded: Npgsql's with <see cref="NpgsqlLabels"/> only; not at all when
    /// it is one of <see cref="DroppedInstruments"/>. Null: as the library defines it.
    /// </summary>
    private static MetricStreamConfiguration? LibraryMetricView(Instrument instrument)
    {
        if (DroppedInstruments.Any(prefix => instrument.Name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return MetricStreamConfiguration.Drop;
        }

        return instrument.Meter.Name == "Npgsql" ? new MetricStreamConfiguration { TagKeys = NpgsqlLabels } : null;
    }

    private static bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    // Listening to spans costs every request CPU (`./intent bench telemetry`); with nothing to export them to, none is recorded.
    private static bool SpansWanted(IConfiguration configuration) =>
        OtlpConfigured(configuration) || !string.IsNullOrWhiteSpace(configuration["OTEL_TRACES_SAMPLER"]);

    private static bool IsOperatorPath(PathString path) =>
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
