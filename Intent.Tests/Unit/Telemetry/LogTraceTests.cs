using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Intent.Tests.Unit.Telemetry;

/// <summary>The hosts' JSON log lines carry the trace and span of the work that wrote them.</summary>
public sealed class LogTraceTests
{
    [Fact]
    public void A_json_log_line_written_inside_a_span_carries_its_trace_and_span_ids()
    {
        var capture = new JsonCapture();
        using var host = TelemetryConfigurationTests.Build([], source: null, builder => builder.Logging.AddProvider(capture));
        capture.Formatter = host.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Intent.Test");

        using var activity = new Activity("work").Start();
        logger.LogWarning("inside a span");

        using var line = JsonDocument.Parse(capture.Lines.Single());
        var scopes = line.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var id) && id.GetString() == activity.TraceId.ToHexString());
        Assert.Contains(scopes, s => s.TryGetProperty("SpanId", out var id) && id.GetString() == activity.SpanId.ToHexString());
    }

    /// <summary>Formats log entries with the host's JSON console formatter, as the console would print them.</summary>
    private sealed class JsonCapture : ILoggerProvider, ISupportExternalScope, ILogger
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConsoleFormatter? Formatter { get; set; }

        public List<string> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => NullScope.Instance;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Formatter is null || !IsEnabled(logLevel))
            {
                return;
            }

            using var writer = new StringWriter();
            Formatter.Write(new LogEntry<TState>(logLevel, "Intent.Test", eventId, state, exception, formatter), _scopes, writer);
            lock (Lines)
            {
                Lines.Add(writer.ToString());
            }
        }

        public void Dispose()
        {
        }

        private sealed class NullScope : IDisposable
        {
            public static readonly NullScope Instance = new();

            public void Dispose()
            {
            }
        }
    }
}
