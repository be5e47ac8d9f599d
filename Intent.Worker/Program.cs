using Intent.Pipeline;
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
        builder.AddIntentPipeline();

        var app = builder.Build();

        app.UseRequestIds();
        app.MapHealthEndpoints();

        await app.RunAsync();
    }
}
