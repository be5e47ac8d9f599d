using Intent.Data;
using Intent.ServiceDefaults;
using Intent.ServiceDefaults.Health;
using Intent.ServiceDefaults.Messaging;
using Intent.Worker.Runs;
using Intent.Worker.Scheduling;

namespace Intent.Worker;

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
        builder.AddIntentBus(bus =>
        {
            bus.AddIntentOutbox(builder.Configuration);
            bus.AddRunSaga();
        });

        builder.AddScheduling();

        var app = builder.Build();

        app.UseRequestIds();
        app.MapHealthEndpoints();

        await app.RunAsync();
    }
}
