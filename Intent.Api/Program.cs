using Intent.Api.Audiences;
using Intent.Api.Auth;
using Intent.Api.Errors;
using Intent.Api.Exports;
using Intent.Api.Input;
using Intent.Api.OpenApi;
using Intent.Api.RateLimiting;
using Intent.Api.Runs;
using Intent.Api.Topics;
using Intent.Api.Webhooks;
using Intent.Data;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Exports;
using Intent.Pipeline.Messaging;
using Intent.Pipeline.Previews;
using Intent.Pipeline.Webhooks;
using Intent.ServiceDefaults;
using Intent.ServiceDefaults.Health;
using Intent.ServiceDefaults.Messaging;
using Intent.ServiceDefaults.Telemetry;
using Scalar.AspNetCore;

namespace Intent.Api;

public sealed class Program
{
    private Program()
    {
    }

    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.AddIntentTelemetry("intent-api", consumesMessages: false, PipelineMetrics.MeterName);
        builder.Services.AddPipelineMetrics();
        builder.AddIntentData();
        builder.AddIntentBus(bus => bus.AddIntentOutbox(builder.Configuration));
        builder.AddApiErrors();
        builder.AddInputLimits();
        builder.AddIntentRateLimits();
        builder.AddTokenAuthentication();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddIntentOpenApi();
        builder.Services.AddIntentExports();
        builder.Services.AddAudiencePreviews();
        builder.Services.AddFilterCatalog();
        builder.Services.AddWebhookOptions();

        var app = builder.Build();

        app.UseRequestIds();
        app.UseApiErrors();
        app.UseInputGuard();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.MapIntentMetrics();
        var api = app.MapGroup("").WithErrorResponses();
        api.MapTopicsEndpoints();
        api.MapAudiencesEndpoints();
        api.MapRunsEndpoints();
        api.MapExportsEndpoints();
        api.MapWebhooksEndpoints();
        app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
        app.MapScalarApiReference("/docs").AllowAnonymous().AddEndpointFilter(ApiReference.OnlyOurDocument);

        await app.RunAsync();
    }
}
