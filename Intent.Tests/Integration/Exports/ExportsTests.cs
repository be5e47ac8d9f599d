using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CsvHelper;
using Intent.Cli;
using Intent.Data.Runs;
using Intent.Pipeline.Exports;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Intent.Tests.Integration.Exports;

[Collection(IntegrationGroup.Name)]
public sealed class ExportsTests
{
    private static readonly object Config = new { topicIds = new[] { 1, 2, 3, 4 }, minScore = 20 };

    [Fact]
    public async Task Stats_of_a_completed_run_match_a_computation_over_all_its_results()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2, 3, 4 }, minScore = 1, minTopicOverlap = 1 });
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();

        var (early, earlyBody) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/stats");
        var run = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", run.GetProperty("status").GetString());
        if (early.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Equal("RUN_STATS_UNAVAILABLE", earlyBody.ErrorCode());
        }

        var people = await AllResultsAsync(world, audience, runId);
        Assert.True(people.Count > 100, "the audience should be sizeable");
        var (response, body) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/stats");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stats = body.Data().GetProperty("stats");

        Assert.Equal(people.Count, stats.GetProperty("total").GetInt32());
        Assert.Equal(["total", "fillRates", "scoreHistogram", "averages"], stats.EnumerateObject().Select(p => p.Name));
        var fill = stats.GetProperty("fillRates");
        Assert.Equal(Intent.Data.Runs.ResultFields.All.Select(f => f.Name), fill.EnumerateObject().Select(p => p.Name));
        foreach (var field in fill.EnumerateObject())
        {
            var count = people.Count(p => Value(p, field.Name) is { ValueKind: not JsonValueKind.Null });
            Assert.True(count == field.Value.GetProperty("count").GetInt32(), $"fill count of {field.Name}");
            Assert.Equal(Math.Round(count * 100m / people.Count, 2), field.Value.GetProperty("percent").GetDecimal());
        }

        Assert.True(fill.GetProperty("phone").GetProperty("count").GetInt32() < people.Count, "some people lack a phone");
        var buckets = stats.GetProperty("scoreHistogram").EnumerateArray().ToList();
        Assert.Equal(["1-49", "50-69", "70-89", "90-99", "100"], buckets.Select(b => b.GetProperty("bucket").GetString()));
        var scores = people.Select(p => p.GetProperty("intent").GetProperty("score").GetInt32()).ToList();
        int[][] ranges = [[1, 49], [50, 69], [70, 89], [90, 99], [100, 100]];
        for (var i = 0; i < ranges.Length; i++)
        {
            var count = scores.Count(s => s >= ranges[i][0] && s <= ranges[i][1]);
            Assert.Equal(count, buckets[i].GetProperty("count").GetInt32());
            Assert.Equal(Math.Round(count * 100m / people.Count, 2), buckets[i].GetProperty("percent").GetDecimal());
        }

        Assert.Equal(Math.Round((decimal)scores.Average(), 2), stats.GetProperty("averages").GetProperty("score").GetDecimal());
        Assert.Equal(Math.Round((decimal)people.Average(p => p.GetProperty("intent").GetProperty("topicOverlap").GetInt32()), 2),
            stats.GetProperty("averages").GetProperty("topicOverlap").GetDecimal());
    }

    [Fact]
    public async Task The_CSV_of_a_200000_row_run_streams_from_PostgreSQL_and_parses_back_to_the_same_rows()
    {
        await using var world = await RunsWorld.CreateAsync(seeded: false, worker: false);
        Assert.Equal(0, await SeedCommand.RunAsync(world.Database.ConnectionString,
            ["--people", "200000", "--topics", "5", "--days", "1", "--seed", "5", "--end-date", RunsWorld.DataDate], TextWriter.Null, TextWriter.Null));
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } }, "Big, \"quoted\" audience");
        var runId = await world.CompletedRunOfEveryoneAsync(audience, 200_000);

        using var response = await world.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/export.csv"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("big-quoted-audience-2001-01-02-", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName,
            StringComparison.Ordinal);

        await using var body = await response.Content.ReadAsStreamAsync();
        using var records = CsvReader.Create(body, new CsvReaderOptions { HasHeader = false });
        Assert.True(records.Read());
        var header = Fields(records);
        Assert.Equal("rank", header[0]);
        Assert.Equal(["intentScore", "topicOverlap", "matchedTopicIds"], header[^3..]);

        // Every row, as the database has it: rank, person and score, hashed in rank order.
        var expected = await world.Database.ScalarAsync<string>(
            "SELECT md5(string_agg(m.rank || '|' || p.hashed_email || '|' || m.intent_score, E'\\n' ORDER BY m.rank)) " +
            $"FROM {SnapshotPages.Members()} JOIN people p USING (person_id)");
        var scoreColumn = Array.IndexOf(header, "intentScore");
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var rows = 0;
        bool Next()
        {
            if (!records.Read())
            {
                return false;
            }

            var fields = Fields(records);
            Assert.Equal(header.Length, fields.Length);
            md5.AppendData(System.Text.Encoding.UTF8.GetBytes($"{(rows == 0 ? "" : "\n")}{fields[0]}|{fields[1]}|{fields[scoreColumn]}"));
            rows++;
            return true;
        }

        // While the client holds back, the server is still copying: nothing is buffered whole.
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(Next());
        }

        await Task.Delay(500);
        Assert.Equal(1L, await world.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{world.Database.Name}' AND state = 'active' AND query LIKE 'COPY%'"));

        while (Next())
        {
        }

        Assert.Equal(200_000, rows);
        Assert.Equal(expected, Convert.ToHexStringLower(md5.GetHashAndReset()));
    }

    [Fact]
    public async Task A_stored_export_is_reused_and_downloads_through_a_signed_link_that_cannot_be_tampered_with_or_outlived()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        var path = $"/v1/intent/audiences/{audience}/runs/{runId}/exports";

        var (first, firstBody) = await world.Client.SendAsync(HttpMethod.Post, path);
        Assert.True(first.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, firstBody.ToString());
        var exportId = firstBody.Data().GetProperty("export").GetProperty("id").GetGuid();
        var stored = await Eventually.MatchAsync(async () => await world.Client.SendAsync(HttpMethod.Post, path),
            r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the export to be stored");
        var data = stored.Body.Data();
        var export = data.GetProperty("export");
        Assert.Equal(exportId, export.GetProperty("id").GetGuid());
        Assert.Equal("completed", export.GetProperty("status").GetString());
        Assert.Equal("csv", export.GetProperty("exportType").GetString());
        Assert.Equal("local", export.GetProperty("storageProvider").GetString());
        Assert.Equal(run.GetProperty("resultCount").GetInt64(), export.GetProperty("rowCount").GetInt64());
        Assert.Equal(3600, data.GetProperty("downloadUrlTtlSeconds").GetInt32());
        Assert.True(export.GetProperty("expiresAt").GetDateTime() > DateTime.UtcNow.AddDays(6));
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_exports"));

        // The link works without a token, and serves the same bytes the streamed CSV has.
        var url = data.GetProperty("downloadUrl").GetString()!;
        using var anonymous = world.AnonymousClient();
        using var download = await anonymous.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(export.GetProperty("byteSize").GetInt64(), bytes.Length);
        Assert.Equal(export.GetProperty("contentSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        using var streamed = await world.Client.GetAsync(new Uri($"/v1/intent/audiences/{audience}/runs/{runId}/export.csv", UriKind.Relative));
        Assert.Equal(bytes, await streamed.Content.ReadAsByteArrayAsync());

        // Tampered signature, tampered expiry, an expired link: 403 in the envelope.
        var signature = url[(url.IndexOf("signature=", StringComparison.Ordinal) + 10)..];
        var tampered = url.Replace(signature, (signature[0] == 'A' ? 'B' : 'A') + signature[1..], StringComparison.Ordinal);
        var expires = long.Parse(url.Split("expires=")[1].Split('&')[0], CultureInfo.InvariantCulture);
        var later = url.Replace($"expires={expires}", $"expires={expires + 3600}", StringComparison.Ordinal);
        var past = new DownloadUrls(Options.Create(new ExportOptions { SigningKey = TestSettings.ExportsSigningKey }), new ClockAt(DateTimeOffset.UtcNow.AddHours(-2)))
            .Create(exportId).PathAndQuery;
        foreach (var bad in new[] { tampered, later, past, $"/v1/intent/exports/{exportId}/download" })
        {
            var (denied, error) = await anonymous.SendAsync(HttpMethod.Get, bad);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("FORBIDDEN", error.ErrorCode());
        }
    }

    [Fact]
    public async Task An_expired_export_stops_downloading_its_file_is_swept_and_asking_again_writes_it_anew()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        var path = $"/v1/intent/audiences/{audience}/runs/{runId}/exports";
        var first = (await Eventually.MatchAsync(async () => await world.Client.SendAsync(HttpMethod.Post, path),
            r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the export to be stored")).Body.Data();
        var exportId = first.GetProperty("export").GetProperty("id").GetGuid();
        var oldKey = await world.Database.ScalarAsync<string>($"SELECT storage_key FROM audience_exports WHERE id = '{exportId}'");
        Assert.True(File.Exists(Path.Combine(TestSettings.ExportsDirectory, oldKey)));

        await world.Database.ExecuteAsync(
            $"UPDATE audience_exports SET expires_at = now() - interval '1 minute' WHERE id = '{exportId}'");
        using var anonymous = world.AnonymousClient();
        var (gone, error) = await anonymous.SendAsync(HttpMethod.Get, first.GetProperty("downloadUrl").GetString()!);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("EXPORT_UNAVAILABLE", error.ErrorCode());

        var scheduler = await world.Worker!.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(Intent.Pipeline.Scheduling.SweepExpiredExportsJob.Key);
        await Eventually.MatchAsync(() => Task.FromResult(File.Exists(Path.Combine(TestSettings.ExportsDirectory, oldKey))), exists => !exists,
            TimeSpan.FromSeconds(30), "the expired file to be removed");
        Assert.Equal(1L, await world.Database.ScalarAsync<long>($"SELECT count(*) FROM audience_exports WHERE id = '{exportId}' AND storage_key IS NULL"));

        var again = (await Eventually.MatchAsync(async () => await world.Client.SendAsync(HttpMethod.Post, path),
            r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the export to be written anew")).Body.Data();
        Assert.Equal(exportId, again.GetProperty("export").GetProperty("id").GetGuid());
        var newKey = await world.Database.ScalarAsync<string>($"SELECT storage_key FROM audience_exports WHERE id = '{exportId}'");
        Assert.NotEqual(oldKey, newKey);
        using var download = await anonymous.GetAsync(new Uri(again.GetProperty("downloadUrl").GetString()!, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
    }

    [Fact]
    public async Task An_export_in_an_S3_compatible_store_downloads_the_bytes_it_stored()
    {
        var bucket = $"intent-test-{Guid.NewGuid():N}"[..40];
        using var s3 = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"),
            new Amazon.S3.AmazonS3Config { ServiceURL = TestSettings.S3Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await s3.PutBucketAsync(bucket);
        var store = new Dictionary<string, string?>
        {
            ["Exports:Storage"] = "s3",
            ["Exports:S3:ServiceUrl"] = TestSettings.S3Url,
            ["Exports:S3:Bucket"] = bucket,
            ["Exports:S3:Prefix"] = "exports/",
            ["Exports:S3:AccessKey"] = "S3RVER",
            ["Exports:S3:SecretKey"] = "S3RVER",
        };
        await using var world = await RunsWorld.CreateAsync(workerSettings: store, apiSettings: store);
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        var path = $"/v1/intent/audiences/{audience}/runs/{runId}/exports";

        var stored = await Eventually.MatchAsync(async () => await world.Client.SendAsync(HttpMethod.Post, path),
            r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the export to be stored");
        var export = stored.Body.Data().GetProperty("export");
        Assert.Equal("s3", export.GetProperty("storageProvider").GetString());
        var exportId = export.GetProperty("id").GetGuid();

        var objects = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, Prefix = "exports/" });
        var stored3 = Assert.Single(objects.S3Objects);
        Assert.StartsWith($"exports/", stored3.Key, StringComparison.Ordinal);
        Assert.Contains($"{exportId:N}-", stored3.Key, StringComparison.Ordinal);
        Assert.Equal(export.GetProperty("byteSize").GetInt64(), stored3.Size);

        using var anonymous = world.AnonymousClient();
        using var download = await anonymous.GetAsync(new Uri(stored.Body.Data().GetProperty("downloadUrl").GetString()!, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(export.GetProperty("contentSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(run.GetProperty("resultCount").GetInt64() + 1, System.Text.Encoding.UTF8.GetString(bytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static async Task<List<JsonElement>> AllResultsAsync(RunsWorld world, Guid audience, Guid runId)
    {
        var people = new List<JsonElement>();
        for (var offset = 0; ; offset += 1000)
        {
            var (_, page) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/results?limit=1000&offset={offset}");
            var results = page.Data().GetProperty("results").EnumerateArray().ToList();
            people.AddRange(results);
            if (results.Count < 1000)
            {
                return people;
            }
        }
    }

    private static string[] Fields(CsvReader record) => [.. Enumerable.Range(0, record.FieldCount).Select(record.GetString)];

    private static JsonElement? Value(JsonElement person, string field)
    {
        var current = person;
        foreach (var part in field.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    private sealed class ClockAt(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
