using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// An OTLP/HTTP receiver (protobuf) on 127.0.0.1 that takes every export and keeps nothing but its size:
/// what an API exporting traces, metrics and logs sends, without a collector's own work on the same cores.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _requests;
    private long _bytes;

    private OtlpSink(WebApplication app) => _app = app;

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> for an exporter using <c>http/protobuf</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public long Requests => Interlocked.Read(ref _requests);

    public long Bytes => Interlocked.Read(ref _bytes);

    public static async Task<OtlpSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var sink = new OtlpSink(builder.Build());
        // An empty body is a valid Export*ServiceResponse: everything accepted.
        sink._app.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null);
            Interlocked.Add(ref sink._bytes, http.Request.ContentLength ?? 0);
            Interlocked.Increment(ref sink._requests);
            return Results.Bytes([], "application/x-protobuf");
        });
        await sink._app.StartAsync();
        sink.Endpoint = sink._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return sink;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
