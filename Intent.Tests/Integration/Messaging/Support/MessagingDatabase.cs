using Microsoft.EntityFrameworkCore;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>Reads what the messaging tests observe in PostgreSQL.</summary>
public static class MessagingDatabase
{
    public static MessagingTestDbContext Open() => new(MessagingTestDbContext.CreateOptions(TestSettings.ConnectionString));

    public static async Task<List<TestEffect>> EffectsAsync(string group)
    {
        await using var db = Open();
        return await db.Effects.AsNoTracking().Where(e => e.Group == group).OrderBy(e => e.Id).ToListAsync();
    }

    /// <summary>How many of the groups' consumed messages the broker delivered more than once.</summary>
    public static async Task<int> RedeliveredAsync(IReadOnlyCollection<string> groups)
    {
        await using var db = Open();
        var messageIds = db.Effects.Where(e => groups.Contains(e.Group)).Select(e => e.MessageId);
        return await db.Set<Intent.Messaging.Inbox.InboxState>().CountAsync(i => messageIds.Contains(i.MessageId) && i.ReceiveCount > 1);
    }

    public static async Task<int> OutboxRowsAsync(IReadOnlyCollection<Guid>? messageIds = null)
    {
        await using var db = Open();
        var rows = db.Set<Intent.Messaging.Outbox.OutboxMessage>().AsNoTracking();
        return messageIds is null ? await rows.CountAsync() : await rows.CountAsync(m => messageIds.Contains(m.MessageId));
    }
}
