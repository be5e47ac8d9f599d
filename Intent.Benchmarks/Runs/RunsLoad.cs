using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Intent.Data.Organizations;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// POST /runs load on the real API: a bench organization with a token and many audiences, and
/// closed- and open-loop request phases, each request queuing a run of the next unused audience.
/// </summary>
public sealed class RunsLoad(Guid[] audiences)
{
    private int _next = -1;

    /// <summary>
    /// Creates the organization, its token and <paramref name="count"/> audiences (INSERT ... SELECT),
    /// numbered 1..count in <c>bench_audiences</c>; returns the token.
    /// </summary>
    public static async Task<string> PrepareAsync(NpgsqlDataSource dataSource, int count)
    {
        var organization = Guid.NewGuid();
        var (token, row) = Tokens.Create(organization, TokenKind.Dashboard, DateTime.UtcNow);
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO organizations (id, name, created_at) VALUES (@organization, 'bench', now());
            INSERT INTO api_tokens (id, organization_id, kind, token_hash, display_prefix, created_at) VALUES (@token_id, @organization, 'dashboard', @hash, @prefix, now());
            INSERT INTO topics (topic_id, topic_name, type, industry, category) VALUES (1, 'CRM', 'b2b', 'Software', 'Sales');
            INSERT INTO data_dates (data_date, complete, score_count, loaded_at) VALUES ('2001-01-01', true, 0, now());
            INSERT INTO audiences (id, organization_id, name, status, daily_refresh_enabled, config, config_hash, audience_size, created_at, updated_at)
            SELECT gen_random_uuid(), @organization, 'bench ' || n, 'active', true,
                   '{"topicIds":[1],"minScore":70,"maxScore":100,"minTopicOverlap":1,"filters":{}}', repeat('a', 64), 0, now(), now()
            FROM generate_series(1, @count) n;
            CREATE TABLE bench_audiences AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM audiences;
            CREATE UNIQUE INDEX ON bench_audiences (n);
            ANALYZE;
            """);
        command.Parameters.AddWithValue("organization", organization);
        command.Parameters.AddWithValue("token_id", row.Id);
        command.Parameters.AddWithValue("hash", row.TokenHash);
        command.Parameters.AddWithValue("prefix", row.DisplayPrefix);
        command.Parameters.AddWithValue("count", count);
        await command.ExecuteNonQueryAsync();
        return token;
    }

    /// <summary>The audiences numbered above <paramref name="after"/> in <c>bench_audiences</c>.</summary>
    public static async Task<Guid[]> AudiencesAsync(NpgsqlDataSource dataSource, int after)
    {
        var ids = new List<Guid>();
        await using var command = dataSource.CreateCommand($"SELECT id FROM bench_audiences WHERE n > {after} ORDER BY n");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return [.. ids];
    }

    /// <summary>A client for <paramref name="concurrency"/> requests in flight, carrying the token.</summary>
    public static HttpClient Client(Uri baseAddress, string token, int concurrency)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress,
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary><paramref name="concurrency"/> requests in flight, each sent when the one before it answered.</summary>
    public async Task<Measured> ClosedLoopAsync(HttpClient client, int concurrency, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                var (ok, ms) = await PostAsync(client);
                latencies.Add(ms);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        return Measured.Of(latencies, errors, watch.Elapsed);
    }

    /// <summary>Requests sent at <paramref name="rate"/> per second whether or not earlier ones answered.</summary>
    public async Task<Measured> OpenLoopAsync(HttpClient client, double rate, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var count = (int)(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var requests = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var wait = start + (long)(i * interval) - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            requests.Add(Task.Run(async () =>
            {
                var (ok, ms) = await PostAsync(client);
                latencies.Add(ms);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }

        await Task.WhenAll(requests);
        return Measured.Of(latencies, errors, Stopwatch.GetElapsedTime(start));
    }

    private async Task<(bool Ok, double Milliseconds)> PostAsync(HttpClient client)
    {
        var audience = audiences[Interlocked.Increment(ref _next) % audiences.Length];
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync(new Uri($"/v1/intent/audiences/{audience}/runs", UriKind.Relative), null);
        await response.Content.ReadAsByteArrayAsync();
        return (response.IsSuccessStatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
