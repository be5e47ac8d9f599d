using System.Diagnostics;
using System.Diagnostics.Metrics;
using Intent.ServiceDefaults;
using Intent.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Intent.Tests.Unit.Telemetry;

/// <summary>
/// The standard OTEL_* settings reach the SDK through AddIntentTelemetry. In the integration tests' collection, not beside
/// them: a host here that records spans would record the integration hosts' spans too (activity listeners are per process).
/// </summary>
[Collection(Integration.IntegrationGroup.Name)]
public sealed class TelemetryConfigurationTests
{
    [Fact]
    public void The_service_name_is_the_hosts_unless_OTEL_SERVICE_NAME_names_another()
    {
        Assert.Equal("intent-worker", ServiceName(new Dictionary<string, string?>()));
        Assert.Equal("orbit-batch", ServiceName(new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "orbit-batch" }));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData(null, "http://127.0.0.1:4317", true)]
    [InlineData("always_off", "http://127.0.0.1:4317", false)]
    [InlineData("traceidratio", null, false)]
    [InlineData("parentbased_always_on", null, true)]
    [InlineData("always_on", "http://127.0.0.1:4317", true)]
    public void Spans_are_recorded_when_an_OTLP_endpoint_takes_them_or_as_OTEL_TRACES_SAMPLER_says(string? sampler, string? endpoint, bool recorded)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OTEL_TRACES_SAMPLER"] = sampler,
            ["OTEL_TRACES_SAMPLER_ARG"] = "0",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
        };
        var source = $"intent-test-{Guid.NewGuid():N}";
        using var host = Build(settings, source);
        host.Services.GetRequiredService<TracerProvider>();
        using var activities = new ActivitySource(source);

        using var activity = activities.StartActivity("work");

        Assert.Equal(recorded, activity?.Recorded ?? false);
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting", "http.server.request.duration", true)]
    [InlineData("Npgsql", "db.client.operation.duration", true)]
    [InlineData("Microsoft.AspNetCore.Routing", "aspnetcore.routing.match_attempts", false)]
    [InlineData("Microsoft.AspNetCore.MemoryPool", "aspnetcore.memory_pool.rented", false)]
    [InlineData("Microsoft.AspNetCore.RateLimiting", "aspnetcore.rate_limiting.request_lease.duration", false)]
    [InlineData("Microsoft.AspNetCore.Authorization", "aspnetcore.authorization.attempts", false)]
    [InlineData("Npgsql", "db.client.operation.npgsql.bytes_read", false)]
    public void Library_instruments_that_each_request_records_several_times_for_no_question_of_their_own_are_off(string meter, string instrument, bool recorded)
    {
        using var host = Build([], source: null);
        host.Services.GetRequiredService<MeterProvider>();
        using var library = new Meter(meter);

        var counter = library.CreateCounter<long>(instrument);

        Assert.Equal(recorded, counter.Enabled);
    }

    private static string? ServiceName(Dictionary<string, string?> settings)
    {
        using var host = Build(settings, source: null);
        var resource = host.Services.GetRequiredService<TracerProvider>().GetResource();
        return resource.Attributes.FirstOrDefault(a => a.Key == "service.name").Value as string;
    }

    /// <summary>A host with the given configuration; its tracing also listens to <paramref name="source"/>, which nothing else listens to.</summary>
    internal static IHost Build(Dictionary<string, string?> settings, string? source, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        builder.AddServiceDefaults();
        builder.AddIntentTelemetry("intent-worker", consumesMessages: true);
        if (source is not null)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(source));
        }

        configure?.Invoke(builder);
        return builder.Build();
    }
}
