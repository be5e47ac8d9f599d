using Microsoft.Extensions.Logging;
using Npgsql;

namespace Intent.Messaging.Relay;

/// <summary>
/// Holds one connection that LISTENs for committed outbox rows (from this and every other process)
/// and sets the signal. After every (re)connect it sets the signal once, so nothing committed
/// while it was not listening waits for the poll.
/// </summary>
public sealed class OutboxNotificationListener(NpgsqlDataSource dataSource, string channel, OutboxSignal signal, ILogger logger)
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, _) => signal.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN \"{channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                signal.Set();
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Outbox notifications on {Channel} were interrupted; reconnecting", channel);
                try
                {
                    await Task.Delay(ReconnectDelay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
