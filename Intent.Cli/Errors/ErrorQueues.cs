using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Intent.ServiceDefaults.Messaging;
using Intent.ServiceDefaults.Telemetry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Intent.Cli.Errors;

/// <summary>
/// MassTransit's error queues (<c>QUEUE_error</c>) of one virtual host: what they hold and why (through the management
/// HTTP API, which alone can list queues and peek at messages without taking them), and moving their messages back to
/// their queues over AMQP, each acknowledged in the error queue only once the broker has confirmed its copy.
/// </summary>
public sealed class ErrorQueues(RabbitMqOptions options)
{
    public const string Suffix = RabbitMqQueues.ErrorSuffix;

    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(30);

    // Enough for the envelope of a command; a longer body is cut, and its type goes unnamed.
    private const int PeekedBodyBytes = 64 * 1024;

    public string VirtualHost => options.VirtualHost;

    /// <summary>Whether <paramref name="name"/> is an error queue's name: a queue's name with <see cref="Suffix"/>.</summary>
    public static bool IsErrorQueue(string name) => RabbitMqQueues.IsErrorQueue(name);

    public static string SourceOf(string errorQueue) => errorQueue[..^Suffix.Length];

    /// <summary>Every error queue of the virtual host by name, with its messages and the faults of the first <paramref name="show"/>.</summary>
    public async Task<IReadOnlyList<ErrorQueueContents>> ListAsync(int show, CancellationToken cancellationToken)
    {
        using var management = ManagementClient();
        var names = await ErrorQueueNamesAsync(management, cancellationToken);
        if (names.Count == 0)
        {
            return [];
        }

        await using var connection = await ConnectAsync("intent errors", cancellationToken);
        var queues = new List<ErrorQueueContents>();
        foreach (var name in names)
        {
            if (await MessagesAsync(connection, name, cancellationToken) is not { } messages)
            {
                continue;
            }

            var faults = messages > 0 ? await PeekAsync(management, name, show, cancellationToken) : [];
            queues.Add(new ErrorQueueContents(name, SourceOf(name), messages, faults));
        }

        return queues;
    }

    /// <summary>
    /// Moves the messages <paramref name="errorQueue"/> holds now (at most <paramref name="limit"/>) back to its source queue,
    /// keeping their ids, properties and headers but for the fault's. A message is acknowledged in the error queue only after
    /// the broker confirmed its copy in the source queue, so none is lost; one interrupted in between stays in the error
    /// queue and a later replay sends it again, a duplicate the consumer's inbox ignores. Messages that fail again and come
    /// back meanwhile are not replayed a second time by this call.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(string errorQueue, int? limit, CancellationToken cancellationToken)
    {
        var source = SourceOf(errorQueue);
        await using var connection = await ConnectAsync("intent errors replay", cancellationToken);
        var waiting = await MessagesAsync(connection, errorQueue, cancellationToken)
            ?? throw new ErrorQueueException($"no queue {errorQueue} in virtual host {options.VirtualHost}");
        if (await MessagesAsync(connection, source, cancellationToken) is null)
        {
            throw new ErrorQueueException($"no queue {source} in virtual host {options.VirtualHost} to replay {errorQueue} into; start a worker that consumes it first");
        }

        var toMove = limit is { } most ? Math.Min(most, waiting) : waiting;
        var replayed = 0;
        await using (var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken))
        {
            // Between messages only: a move once begun ends in an ack or a requeue, never halfway.
            while (replayed < toMove && !cancellationToken.IsCancellationRequested)
            {
                var delivery = await channel.BasicGetAsync(errorQueue, autoAck: false, CancellationToken.None);
                if (delivery is null)
                {
                    break;
                }

                var body = delivery.Body.ToArray();
                var properties = new BasicProperties(delivery.BasicProperties) { Headers = FaultHeaders.Strip(delivery.BasicProperties.Headers) };
                try
                {
                    // Mandatory: a copy no queue takes comes back as an error instead of being confirmed and dropped.
                    await channel.BasicPublishAsync("", source, mandatory: true, properties, body, CancellationToken.None);
                }
                catch (Exception e)
                {
                    if (channel.IsOpen)
                    {
                        await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
                    }

                    throw new ErrorQueueException(
                        $"the broker did not take message {properties.MessageId ?? "(no id)"} into {source} ({e.Message}); it stays in {errorQueue}; {replayed} replayed before it", e);
                }

                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
                replayed++;
            }
        }

        return new ReplayResult(errorQueue, source, replayed, await MessagesAsync(connection, errorQueue, CancellationToken.None) ?? 0);
    }

    private async Task<List<string>> ErrorQueueNamesAsync(HttpClient management, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(management, new HttpRequestMessage(HttpMethod.Get, Relative($"api/queues/{VirtualHostPath}?columns=name")), cancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.EnumerateArray()
            .Select(queue => queue.GetProperty("name").GetString()!)
            .Where(IsErrorQueue)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private async Task<IReadOnlyList<ErrorQueueFault>> PeekAsync(HttpClient management, string queue, int count, CancellationToken cancellationToken)
    {
        // ack_requeue_true puts each message back where it was: a look that takes nothing.
        var request = new HttpRequestMessage(HttpMethod.Post, Relative($"api/queues/{VirtualHostPath}/{Uri.EscapeDataString(queue)}/get"))
        {
            Content = JsonContent.Create(new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = PeekedBodyBytes }),
        };
        using var response = await SendAsync(management, request, cancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.EnumerateArray().Select(message =>
        {
            var properties = message.GetProperty("properties");
            var messageId = properties.TryGetProperty("message_id", out var id) ? id.GetString() : null;
            var headers = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (properties.TryGetProperty("headers", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in values.EnumerateObject())
                {
                    headers[header.Name] = header.Value.ValueKind switch
                    {
                        JsonValueKind.String => header.Value.GetString(),
                        JsonValueKind.Number => header.Value.GetRawText(),
                        _ => null,
                    };
                }
            }

            return FaultHeaders.Describe(messageId, headers, EnvelopeMessageTypes(message));
        }).ToList();
    }

    /// <summary>The <c>messageType</c> URNs of a MassTransit JSON envelope, ';'-separated; null for any other body, or one cut short.</summary>
    private static string? EnvelopeMessageTypes(JsonElement message)
    {
        if (message.TryGetProperty("payload_encoding", out var encoding) && encoding.GetString() == "string"
            && message.TryGetProperty("payload", out var payload) && payload.GetString() is { Length: > 0 } text)
        {
            try
            {
                using var envelope = JsonDocument.Parse(text);
                return envelope.RootElement.ValueKind == JsonValueKind.Object
                    && envelope.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array
                    ? string.Join(';', types.EnumerateArray().Select(type => type.GetString()))
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Ready messages in <paramref name="queue"/> now (the management API's counts lag by seconds); null when it does not exist.</summary>
    private static async Task<long?> MessagesAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel: one channel per question.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    private async Task<IConnection> ConnectAsync(string name, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            HostName = options.Host,
            Port = options.Port,
            VirtualHost = options.VirtualHost,
            UserName = options.Username,
            Password = options.Password,
            ClientProvidedName = name,
            // A lost connection ends the command; the broker returns what was not acknowledged.
            AutomaticRecoveryEnabled = false,
        };
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException e)
        {
            throw new ErrorQueueException(
                $"cannot connect to RabbitMQ at {options.Host}:{options.Port}, virtual host {options.VirtualHost} as {options.Username}: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient management, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        using (request)
        {
            try
            {
                response = await management.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new ErrorQueueException($"cannot reach RabbitMQ management at {ManagementUrl} (RabbitMq__Management__Url): {e.Message}", e);
            }
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new ErrorQueueException(response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => $"RabbitMQ management at {ManagementUrl} refuses user {ManagementUser}",
                HttpStatusCode.NotFound => $"RabbitMQ management at {ManagementUrl} has no {request.RequestUri} (is virtual host {options.VirtualHost} there?)",
                var status => $"RabbitMQ management at {ManagementUrl} answered {(int)status} {status}",
            });
        }
    }

    private string VirtualHostPath => Uri.EscapeDataString(options.VirtualHost);

    private string ManagementUrl => options.Management.Url is { Length: > 0 } url
        ? url
        : throw new ErrorQueueException("no RabbitMQ management API is configured (RabbitMq__Management__Url)");

    private string ManagementUser => options.Management.Username ?? options.Username;

    private static Uri Relative(string path) => new(path, UriKind.Relative);

    private HttpClient ManagementClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(ManagementUrl.TrimEnd('/') + "/"), Timeout = HttpTimeout };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ManagementUser}:{options.Management.Password ?? options.Password}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
