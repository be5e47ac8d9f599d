using Intent.ServiceDefaults;
using Intent.ServiceDefaults.Health;

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
        builder.AddIntentWorker();

        var app = builder.Build();

        app.UseRequestIds();
        app.MapHealthEndpoints();

        await app.RunAsync();
    }
}
