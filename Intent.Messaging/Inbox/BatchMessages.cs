using MassTransit;

namespace Intent.Messaging.Inbox;

/// <summary>
/// The inbox of a batch consume (<see cref="Batch{T}"/>): MassTransit hands a batch consumer one context
/// whose message id is one of the batch's, and a redelivered message may come back in a batch of other
/// messages. So every message of the batch is recorded in the inbox, and the consumer sees only those
/// no earlier delivery consumed; a batch of nothing but consumed messages is acknowledged without it.
/// </summary>
internal static class BatchMessages<T>
    where T : class
{
    private static readonly Func<ConsumeContext<T>, IReadOnlyList<Guid>>? MessageIdsOf = Bind<Func<ConsumeContext<T>, IReadOnlyList<Guid>>>(nameof(BatchInbox.MessageIds));

    private static readonly Func<ConsumeContext<T>, IReadOnlySet<Guid>, ConsumeContext<T>>? Filter =
        Bind<Func<ConsumeContext<T>, IReadOnlySet<Guid>, ConsumeContext<T>>>(nameof(BatchInbox.Without));

    public static bool IsBatch => MessageIdsOf is not null;

    /// <summary>The id of each message of the batch, as the inbox knows it.</summary>
    public static IReadOnlyList<Guid> MessageIds(ConsumeContext<T> context) => MessageIdsOf!(context);

    /// <summary>The batch without the messages in <paramref name="consumed"/>.</summary>
    public static ConsumeContext<T> Without(ConsumeContext<T> context, IReadOnlySet<Guid> consumed) =>
        consumed.Count == 0 ? context : Filter!(context, consumed);

    private static TDelegate? Bind<TDelegate>(string method)
        where TDelegate : Delegate =>
        typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(Batch<>)
            ? typeof(BatchInbox).GetMethod(method)!.MakeGenericMethod(typeof(T).GetGenericArguments()[0]).CreateDelegate<TDelegate>()
            : null;
}
