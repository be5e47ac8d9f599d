using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Intent.Tests.Integration;

/// <summary>
/// Writes the logs of the hosts tests start as JSON lines to <see cref="TestSettings.HostLogFile"/>, one file per test run
/// shared by every host, so that their expected errors stay off the console and the test results.
/// </summary>
public sealed class TestHostLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private static readonly Lazy<FileStream> File = new(Open, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock Gate = new();
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _host;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <param name="host">What the lines of this provider are marked with, e.g. the host's assembly.</param>
    public TestHostLoggerProvider(string host)
    {
        _host = host;
        // The first host of a test run starts the file anew, even when nothing is logged.
        _ = File.Value;
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static FileStream Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(TestSettings.HostLogFile)!);
        return new FileStream(TestSettings.HostLogFile, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
    }

    private void Write(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var line = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(line, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("host", _host);
            json.WriteString("level", level.ToString());
            json.WriteString("category", category);
            json.WriteNumber("eventId", eventId.Id);
            json.WriteString("message", message);
            if (exception is not null)
            {
                json.WriteString("exception", exception.ToString());
            }

            json.WriteStartArray("scopes");
            _scopes.ForEachScope((scope, writer) => writer.WriteStringValue(Convert.ToString(scope, CultureInfo.InvariantCulture)), json);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        line.Write("\n"u8);
        lock (Gate)
        {
            File.Value.Write(line.WrittenSpan);
            File.Value.Flush();
        }
    }

    private sealed class FileLogger(TestHostLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, eventId, formatter(state, exception), exception);
            }
        }
    }
}
