using Intent.Api.Errors;
using Intent.Data;
using Intent.ServiceDefaults;
using Intent.ServiceDefaults.Health;
using Intent.ServiceDefaults.Messaging;
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
        builder.AddIntentData();
        builder.AddIntentBus(bus => bus.AddIntentOutbox(builder.Configuration));
        builder.AddApiErrors();
        builder.Services.AddOpenApi();

        var app = builder.Build();

        app.UseRequestIds();
        app.UseApiErrors();
        app.MapHealthEndpoints();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs");

        await app.RunAsync();
    }
}
