using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// An OTLP/HTTP receiver (protobuf) on 127.0.0.1 that takes every export and keeps nothing but its size:
/// what an API exporting traces, metrics and logs sends, without a collector's own work on the same cores.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private WebApplication? _app;
    private long _requests;
    private long _bytes;

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> for an exporter using <c>http/protobuf</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public long Requests => Interlocked.Read(ref _requests);

    public long Bytes => Interlocked.Read(ref _bytes);

    public static async Task<OtlpSink> StartAsync()
    {
        var sink = new OtlpSink();
        // An empty body is a valid Export*ServiceResponse: everything accepted.
        (sink._app, sink.Endpoint) = await LocalServer.StartAsync(app => app.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null);
            Interlocked.Add(ref sink._bytes, http.Request.ContentLength ?? 0);
            Interlocked.Increment(ref sink._requests);
            return Results.Bytes([], "application/x-protobuf");
        }));
        return sink;
    }

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;
}
