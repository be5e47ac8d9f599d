using System.Text.RegularExpressions;
using Intent.Messaging.Outbox;
using Intent.Tests.Integration.Messaging.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Tests.Integration.Messaging;

/// <summary>Messages written by one SQL statement are the rows the bus outbox writes for a publish of each.</summary>
[Collection(IntegrationGroup.Name)]
public sealed partial class OutboxTemplateTests : MessagingTest
{
    private const int Count = 500;

    [Fact]
    public async Task One_statement_writes_for_each_row_what_publishing_it_writes_and_each_is_consumed_once()
    {
        var counters = Enumerable.Range(0, Count).Select(_ => Guid.NewGuid()).ToArray();
        var published = Guid.NewGuid();
        await using (var writer = await MessagingTestHost.StartAsync(Queues, options => options.Relay = false))
        {
            await writer.PublishInTransactionAsync([new CounterChanged(published, 7)]);
            await using var scope = writer.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var template = await OutboxMessageTemplate.CaptureAsync(
                db, scope.ServiceProvider.GetRequiredService<IPublishEndpoint>(), columns => new CounterChanged(columns.Uuid("counter_id"), 7), Count, CancellationToken.None);
            await using var command = new NpgsqlCommand(
                $"WITH source AS (SELECT unnest(@counters) AS counter_id), {template.Ctes("source")} SELECT 1",
                (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.AddWithValue("counters", counters);
            command.Parameters.AddRange(template.Parameters.ToArray());
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        var rows = await RowsAsync();
        var reference = Assert.Single(rows, r => r.Body.Contains(published.ToString("D"), StringComparison.Ordinal));
        var written = rows.Where(r => counters.Any(c => r.Body.Contains(c.ToString("D"), StringComparison.Ordinal))).ToList();
        Assert.Equal(Count, written.Count);
        Assert.Equal(Count, written.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(Count, written.Select(r => r.OutboxId).Distinct().Count());
        Assert.All(written, r => Assert.NotEqual(r.MessageId, r.ConversationId));
        Assert.All(written, r => Assert.Equal(Shape(reference.MessageId), Shape(r.MessageId)));
        var expected = reference.Normalized(published);
        Assert.All(written, r => Assert.Equal(expected, r.Normalized(counters.Single(c => r.Body.Contains(c.ToString("D"), StringComparison.Ordinal)))));

        await using var relay = await MessagingTestHost.StartAsync(Queues);
        foreach (var counter in counters.Take(20).Append(counters[^1]))
        {
            var effects = await Eventually.MatchAsync(() => MessagingDatabase.EffectsAsync(counter.ToString()), e => e.Count > 0, TimeSpan.FromSeconds(60),
                $"counter {counter} to be announced");
            Assert.Equal(7, Assert.Single(effects).Sequence);
        }

        await Eventually.MatchAsync(() => MessagingDatabase.OutboxRowsAsync(written.Select(r => r.MessageId).ToList()), left => left == 0,
            TimeSpan.FromSeconds(60), "every written message to be relayed");
    }

    [Fact]
    public async Task Number_and_text_columns_fill_their_properties_as_publishing_would_serialize_them()
    {
        var reports = new (Guid Id, long Total, string Label)[]
        {
            (Guid.NewGuid(), 0, "plain"), (Guid.NewGuid(), long.MaxValue, "quoted \"label\" with \\ and a\nline"), (Guid.NewGuid(), -42, "é ünïcode ✓"),
        };
        var published = new TestReport(Guid.NewGuid(), 1234567, "plain");
        await using (var writer = await MessagingTestHost.StartAsync(Queues, options => options.Relay = false))
        {
            await writer.PublishInTransactionAsync([published]);
            await using var scope = writer.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var template = await OutboxMessageTemplate.CaptureAsync(db, scope.ServiceProvider.GetRequiredService<IPublishEndpoint>(),
                columns => new TestReport(columns.Uuid("report_id"), columns.Bigint("total"), columns.Text("label")), reports.Length, CancellationToken.None);
            await using var command = new NpgsqlCommand(
                $"WITH source AS (SELECT * FROM unnest(@ids, @totals, @labels) AS s(report_id, total, label)), {template.Ctes("source")} SELECT 1",
                (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.AddWithValue("ids", reports.Select(r => r.Id).ToArray());
            command.Parameters.AddWithValue("totals", reports.Select(r => r.Total).ToArray());
            command.Parameters.AddWithValue("labels", reports.Select(r => r.Label).ToArray());
            command.Parameters.AddRange(template.Parameters.ToArray());
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        var rows = await RowsAsync();
        var reference = Assert.Single(rows, r => r.Body.Contains(published.ReportId.ToString("D"), StringComparison.Ordinal));
        foreach (var report in reports)
        {
            var row = Assert.Single(rows, r => r.Body.Contains(report.Id.ToString("D"), StringComparison.Ordinal));
            var message = System.Text.Json.JsonDocument.Parse(row.Body).RootElement.GetProperty("message");
            Assert.Equal((report.Id, report.Total, report.Label),
                (message.GetProperty("reportId").GetGuid(), message.GetProperty("total").GetInt64(), message.GetProperty("label").GetString()));
        }

        // Apart from the values, the envelope is the one publishing writes.
        var plain = Assert.Single(rows, r => r.Body.Contains(reports[0].Id.ToString("D"), StringComparison.Ordinal));
        Assert.Equal(
            reference.Normalized(published.ReportId).Replace("\"total\": 1234567", "\"total\": {total}", StringComparison.Ordinal),
            plain.Normalized(reports[0].Id).Replace("\"total\": 0", "\"total\": {total}", StringComparison.Ordinal));

        await using var relay = await MessagingTestHost.StartAsync(Queues);
        var written = rows.Where(r => r.Body.Contains("\"label\"", StringComparison.Ordinal)).Select(r => r.MessageId).ToList();
        await Eventually.MatchAsync(() => MessagingDatabase.OutboxRowsAsync(written), left => left == 0, TimeSpan.FromSeconds(60), "the reports to be relayed");
    }

    /// <summary>A NewId with its sequence and time parts masked: what one process's ids share.</summary>
    private static string Shape(Guid id) => $"{id.ToString("D")[..4]}????{id.ToString("D")[8..19]}";

    private static async Task<List<Row>> RowsAsync()
    {
        await using var db = MessagingDatabase.Open();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT m.message_id, m.conversation_id, m.outbox_id, m.body,
                   concat_ws(E'\n', m.content_type, m.message_type, m.headers, m.properties, m.correlation_id, m.initiator_id, m.request_id,
                             m.source_address, m.destination_address, m.response_address, m.fault_address, m.expiration_time,
                             (SELECT count(*) FROM {MessagingTestDbContext.Schema}.outbox_state s WHERE s.outbox_id = m.outbox_id))
            FROM {MessagingTestDbContext.Schema}.outbox_message m
            """,
            connection);
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4)));
        }

        return rows;
    }

    [GeneratedRegex("\"sentTime\": \"[^\"]+\"")]
    private static partial Regex SentTime();

    [GeneratedRegex("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")]
    private static partial Regex TraceParent();

    private sealed record Row(Guid MessageId, Guid ConversationId, Guid OutboxId, string Body, string Columns)
    {
        /// <summary>Body and columns with the values of this one message named; send time and trace context by their form.</summary>
        public string Normalized(Guid counter)
        {
            var text = $"{Body}\n{Columns}"
                .Replace(MessageId.ToString("D"), "{messageId}", StringComparison.Ordinal)
                .Replace(ConversationId.ToString("D"), "{conversationId}", StringComparison.Ordinal)
                .Replace(counter.ToString("D"), "{id}", StringComparison.Ordinal);
            return TraceParent().Replace(SentTime().Replace(text, "\"sentTime\": \"{sentTime}\""), "{traceparent}");
        }
    }
}
