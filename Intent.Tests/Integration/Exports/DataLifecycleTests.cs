using System.Globalization;
using System.Net;
using Intent.Data.Runs;
using Intent.Pipeline.Scheduling;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Intent.Tests.Integration.Exports;

[Collection(IntegrationGroup.Name)]
public sealed class DataLifecycleTests
{
    private static readonly object SharedConfig = new { topicIds = new[] { 1, 2, 3 }, minScore = 30 };
    private static readonly object OwnConfig = new { topicIds = new[] { 4, 5 }, minScore = 20 };

    [Fact]
    public async Task Deleting_an_audience_removes_its_export_files_and_the_sweep_its_snapshots_but_not_one_another_audience_still_uses()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: new Dictionary<string, string?> { ["Runs:SnapshotRetention"] = "00:00:00" });
        var deleted = await world.AudienceAsync(SharedConfig, "deleted, shares its snapshot");
        var kept = await world.AudienceAsync(SharedConfig, "kept");
        var alone = await world.AudienceAsync(OwnConfig, "deleted, snapshot of its own");
        var (deletedRun, deletedKey) = await CompletedRunAsync(world, deleted);
        var (keptRun, keptKey) = await CompletedRunAsync(world, kept);
        var (aloneRun, aloneKey) = await CompletedRunAsync(world, alone);
        Assert.Equal(deletedKey, keptKey);
        Assert.NotEqual(deletedKey, aloneKey);
        var deletedFile = await StoredFileAsync(world, deleted, deletedRun);
        var aloneFile = await StoredFileAsync(world, alone, aloneRun);
        var keptFile = await StoredFileAsync(world, kept, keptRun);

        foreach (var audience in new[] { deleted, alone })
        {
            var (response, body) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(body.Data().GetProperty("deleted").GetBoolean());
        }

        // The API removed the files at once; nothing is left queued, the other audience's file stays.
        Assert.False(File.Exists(deletedFile));
        Assert.False(File.Exists(aloneFile));
        Assert.True(File.Exists(keptFile));
        Assert.Equal(0L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM export_file_removals"));
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_exports"));

        var aloneSnapshot = await world.Database.ScalarAsync<int>($"SELECT id FROM audience_snapshots WHERE result_key = '{aloneKey}'");
        Assert.True(await world.Database.ScalarAsync<long>($"SELECT count(*) FROM {SnapshotPages.Members(aloneSnapshot.ToString(CultureInfo.InvariantCulture))}") > 0);
        await TriggerAsync(world, SweepUnusedSnapshotsJob.Key);
        await Eventually.MatchAsync(() => world.Database.ScalarAsync<long>($"SELECT count(*) FROM audience_snapshots WHERE result_key = '{aloneKey}'"),
            count => count == 0, TimeSpan.FromSeconds(30), "the unused snapshot to be removed");
        Assert.Equal(0L, await world.Database.ScalarAsync<long>($"SELECT count(*) FROM audience_snapshot_pages WHERE snapshot_id = {aloneSnapshot}"));

        var keptResult = await world.RunAsync(kept, keptRun);
        Assert.Equal(1L, await world.Database.ScalarAsync<long>($"SELECT count(*) FROM audience_snapshots WHERE result_key = '{keptKey}'"));
        Assert.Equal(keptResult.GetProperty("resultCount").GetInt64(),
            await world.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM {SnapshotPages.Members()} JOIN audience_snapshots s ON s.id = m.snapshot_id WHERE s.result_key = '{keptKey}'"));
        var (results, page) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{kept}/runs/{keptRun}/results?limit=5");
        Assert.Equal(HttpStatusCode.OK, results.StatusCode);
        Assert.Equal(5, page.Data().GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Files_left_by_a_process_that_died_mid_way_are_removed_by_the_exports_sweep()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(SharedConfig);
        var (runId, _) = await CompletedRunAsync(world, audience);
        var file = await StoredFileAsync(world, audience, runId);

        // The delete committed, then the API died before removing the file: the file is queued.
        await world.Database.ExecuteAsync($"DELETE FROM audiences WHERE id = '{audience}'");
        Assert.True(File.Exists(file));
        Assert.Equal("deleted", await world.Database.ScalarAsync<string>("SELECT reason FROM export_file_removals"));

        // A writer that died before committing its export, and one still within its grace.
        var abandoned = await OrphanAsync(world, "abandoned", "now() - interval '1 minute'");
        var writing = await OrphanAsync(world, "writing", "now() + interval '1 hour'");

        await TriggerAsync(world, SweepExpiredExportsJob.Key);
        await Eventually.MatchAsync(() => Task.FromResult(File.Exists(file) || File.Exists(abandoned)), exists => !exists,
            TimeSpan.FromSeconds(30), "the sweep to remove the left files");
        Assert.True(File.Exists(writing));
        Assert.Equal("unfinished", await world.Database.ScalarAsync<string>("SELECT reason FROM export_file_removals"));
    }

    [Fact]
    public async Task An_audience_deleted_while_its_export_is_written_leaves_no_file()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(SharedConfig);
        var (runId, _) = await CompletedRunAsync(world, audience);
        var organizationFiles = Path.Combine(TestSettings.ExportsDirectory, $"{world.OrganizationId:N}");

        // The writer's COPY waits for the people table while the audience is deleted.
        await using (var people = await ScoresLock.TakeAsync(world.Database, "people"))
        {
            var (requested, _) = await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs/{runId}/exports");
            Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
            await Eventually.MatchAsync(() => world.Database.ScalarAsync<long>(
                    $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{world.Database.Name}' AND wait_event_type = 'Lock' AND query LIKE 'COPY%'"),
                waiting => waiting == 1, TimeSpan.FromSeconds(30), "the export's COPY to wait");
            Assert.Equal("unfinished", await world.Database.ScalarAsync<string>("SELECT reason FROM export_file_removals"));

            var (deleted, _) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}");
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        await Eventually.MatchAsync(() => world.Database.ScalarAsync<long>("SELECT count(*) FROM export_file_removals"), count => count == 0,
            TimeSpan.FromSeconds(30), "the writer to give up its file");
        Assert.Empty(Directory.Exists(organizationFiles) ? Directory.GetFiles(organizationFiles) : []);
        Assert.Equal(0L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_exports"));
    }

    [Fact]
    public async Task Deleting_an_audience_removes_its_export_objects_from_an_S3_compatible_store()
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
            ["Exports:S3:AccessKey"] = "S3RVER",
            ["Exports:S3:SecretKey"] = "S3RVER",
        };
        await using var world = await RunsWorld.CreateAsync(workerSettings: store, apiSettings: store);
        var byApi = await world.AudienceAsync(SharedConfig, "deleted by the API");
        var bySql = await world.AudienceAsync(OwnConfig, "deleted behind the API's back");
        foreach (var audience in new[] { byApi, bySql })
        {
            var (runId, _) = await CompletedRunAsync(world, audience);
            await Eventually.MatchAsync(async () => await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs/{runId}/exports"),
                r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the export to be stored");
        }

        Assert.Equal(2, (await ObjectsAsync()).Count);
        var byApiKey = await world.Database.ScalarAsync<string>($"SELECT storage_key FROM audience_exports WHERE audience_id = '{byApi}'");

        var (response, _) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{byApi}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(byApiKey, await ObjectsAsync());

        await world.Database.ExecuteAsync($"DELETE FROM audiences WHERE id = '{bySql}'");
        Assert.Single(await ObjectsAsync());
        await TriggerAsync(world, SweepExpiredExportsJob.Key);
        await Eventually.MatchAsync(ObjectsAsync, objects => objects.Count == 0, TimeSpan.FromSeconds(30), "the sweep to remove the object");
        Assert.Equal(0L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM export_file_removals"));

        async Task<List<string>> ObjectsAsync() =>
            (await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];
    }

    private static async Task<(Guid RunId, string ResultKey)> CompletedRunAsync(RunsWorld world, Guid audience)
    {
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", run.GetProperty("status").GetString());
        return (runId, run.GetProperty("resultKey").GetString()!);
    }

    /// <summary>The stored export file of the run, once written.</summary>
    private static async Task<string> StoredFileAsync(RunsWorld world, Guid audience, Guid runId)
    {
        var stored = await Eventually.MatchAsync(
            async () => await world.Client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audience}/runs/{runId}/exports"),
            r => r.Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the export to be stored");
        var exportId = stored.Body.Data().GetProperty("export").GetProperty("id").GetGuid();
        var key = await world.Database.ScalarAsync<string>($"SELECT storage_key FROM audience_exports WHERE id = '{exportId}'");
        var path = Path.Combine(TestSettings.ExportsDirectory, key);
        Assert.True(File.Exists(path));
        return path;
    }

    /// <summary>A file queued as an unfinished write, removable after <paramref name="removeAfter"/> (SQL).</summary>
    private static async Task<string> OrphanAsync(RunsWorld world, string name, string removeAfter)
    {
        var key = $"{world.OrganizationId:N}/{name}-{Guid.NewGuid():N}.csv";
        var path = Path.Combine(TestSettings.ExportsDirectory, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "rank\r\n");
        await world.Database.ExecuteAsync(
            $"INSERT INTO export_file_removals (storage_key, storage_provider, remove_after, reason) VALUES ('{key}', 'local', {removeAfter}, 'unfinished')");
        return path;
    }

    private static async Task TriggerAsync(RunsWorld world, JobKey job)
    {
        var scheduler = await world.Worker!.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(job);
    }
}
