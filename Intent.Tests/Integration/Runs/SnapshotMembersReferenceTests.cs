using System.Globalization;
using Intent.Data.Runs;
using Npgsql;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// Members belong to a snapshot that exists. The rule is checked once per statement on the pages of members (migrations
/// MaterializationNearFloor, SnapshotMemberPages) and keeps what a foreign key would promise: pages of a missing snapshot
/// are refused (23503), deleting or truncating snapshots removes their pages, a snapshot's id never changes, and pages
/// written while their snapshot is deleted never outlive it, whichever commits first. A page's arrays always line up.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class SnapshotMembersReferenceTests
{
    private static readonly TimeSpan Blocked = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Members_of_a_snapshot_that_does_not_exist_are_refused_and_nothing_is_written()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var snapshot = await SnapshotAsync(database);

        var insert = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(Members(snapshot, 1, 50) + ";" + Members(snapshot + 1000, 1, 50)));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, insert.SqlState);
        var single = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(Members(snapshot + 1000, 1, 50)));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, single.SqlState);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM audience_snapshot_pages"));

        await database.ExecuteAsync(Members(snapshot, 1, 2500));
        var update = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync($"UPDATE audience_snapshot_pages SET snapshot_id = {snapshot + 1000} WHERE page = 0"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, update.SqlState);
        Assert.Equal(2500L, await CountAsync(database, snapshot));
    }

    [Fact]
    public async Task Deleting_or_truncating_snapshots_removes_their_members_and_a_snapshot_keeps_its_id()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var kept = await SnapshotAsync(database);
        var removed = await SnapshotAsync(database);
        await database.ExecuteAsync(Members(kept, 1, 2300) + ";" + Members(removed, 1, 1400));

        var change = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync($"UPDATE audience_snapshots SET id = {removed + 1000} WHERE id = {removed}"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, change.SqlState);

        await database.ExecuteAsync($"DELETE FROM audience_snapshots WHERE id = {removed}");
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM audience_snapshot_pages WHERE snapshot_id = {removed}"));
        Assert.Equal(2300L, await CountAsync(database, kept));

        await database.ExecuteAsync("TRUNCATE audience_snapshots");
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM audience_snapshot_pages"));
    }

    [Fact]
    public async Task Members_written_while_their_snapshot_is_deleted_never_outlive_it()
    {
        await using var database = await ScratchDatabase.CreateAsync();

        // The members' statement ends first: the delete waits for their transaction, then removes them too.
        var first = await SnapshotAsync(database);
        await using (var writer = await TransactionAsync(database))
        {
            await writer.ExecuteAsync(Members(first, 1, 200));
            await using var deleter = await TransactionAsync(database);
            var delete = deleter.ExecuteAsync($"DELETE FROM audience_snapshots WHERE id = {first}");
            await Task.Delay(Blocked);
            Assert.False(delete.IsCompleted, "the delete should wait for the transaction that wrote members of the snapshot");
            await writer.CommitAsync();
            await delete;
            await deleter.CommitAsync();
        }

        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM audience_snapshot_pages WHERE snapshot_id = {first}"));

        // The delete comes first: the members' statement waits for it, then finds no snapshot.
        var second = await SnapshotAsync(database);
        await using (var deleter = await TransactionAsync(database))
        {
            await deleter.ExecuteAsync($"DELETE FROM audience_snapshots WHERE id = {second}");
            await using var writer = await TransactionAsync(database);
            var insert = writer.ExecuteAsync(Members(second, 1, 200));
            await Task.Delay(Blocked);
            Assert.False(insert.IsCompleted, "the members' statement should wait for the transaction deleting their snapshot");
            await deleter.CommitAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => insert);
            Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        }

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM audience_snapshot_pages"));
    }

    [Fact]
    public async Task A_page_whose_arrays_do_not_line_up_is_refused()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var snapshot = await SnapshotAsync(database);
        string[] misaligned =
        [
            "'{1,2}', '{50}', '{1,1}', '{1,2}'",
            "'{1,2}', '{50,40}', '{1}', '{1,2}'",
            "'{1,2}', '{50,40}', '{1,2}', '{1,2}'",
            "'{1,2}', '{50,40}', '{1,1}', '{1,2,3}'",
            "'{}', '{}', '{}', '{}'",
            $"(SELECT array_agg(g::bigint) FROM generate_series(1, {SnapshotPages.Size + 1}) g), " +
            $"array_fill(50::smallint, ARRAY[{SnapshotPages.Size + 1}]), array_fill(1::smallint, ARRAY[{SnapshotPages.Size + 1}]), array_fill(1, ARRAY[{SnapshotPages.Size + 1}])",
        ];
        foreach (var arrays in misaligned)
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(
                $"INSERT INTO audience_snapshot_pages (snapshot_id, page, person_ids, intent_scores, topic_overlaps, matched_topic_ids) VALUES ({snapshot}, 0, {arrays})"));
            Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        }

        await database.ExecuteAsync(
            $"INSERT INTO audience_snapshot_pages (snapshot_id, page, person_ids, intent_scores, topic_overlaps, matched_topic_ids) VALUES ({snapshot}, 0, '{{1,2}}', '{{50,40}}', '{{1,2}}', '{{7,8,9}}')");
        Assert.Equal("1/1/{7},2/2/{8,9}", await database.ScalarAsync<string>(
            $"SELECT string_agg(m.rank || '/' || m.person_id || '/' || m.matched_topic_ids::text, ',' ORDER BY m.rank) FROM {SnapshotPages.Members(snapshot.ToString(CultureInfo.InvariantCulture))}"));
    }

    private static string Members(int snapshot, int from, int count) => SnapshotPages.Insert($"""
        (SELECT {snapshot} AS snapshot_id, r AS rank, 1000 + r AS person_id, 50::smallint AS intent_score, 1::smallint AS topic_overlap, ARRAY[1] AS matched_topic_ids
         FROM generate_series({from}, {from + count - 1}) r)
        """);

    private static Task<long> CountAsync(ScratchDatabase database, int snapshot) =>
        database.ScalarAsync<long>($"SELECT count(*) FROM {SnapshotPages.Members(snapshot.ToString(CultureInfo.InvariantCulture))}");

    private static async Task<int> SnapshotAsync(ScratchDatabase database) => await database.ScalarAsync<int>($"""
        INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
        VALUES ('{Guid.NewGuid():N}{Guid.NewGuid():N}', gen_random_uuid(), '{new string('c', 64)}', '2001-01-02', 0, 0, now())
        RETURNING id
        """);

    private static async Task<OpenTransaction> TransactionAsync(ScratchDatabase database)
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return new OpenTransaction(connection, await connection.BeginTransactionAsync());
    }

    private sealed class OpenTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async Task ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }

        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
