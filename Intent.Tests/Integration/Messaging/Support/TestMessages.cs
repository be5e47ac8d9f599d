namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>An event the messaging tests publish; <see cref="Group"/> keeps one test's messages apart from another's.</summary>
public sealed record TestEvent(string Group, int Sequence);

/// <summary>A command the messaging tests send to a queue.</summary>
public sealed record TestCommand(string Group, int Sequence);

/// <summary>Increments the counter saga <see cref="CounterId"/>.</summary>
public sealed record IncrementCounter(Guid CounterId);

/// <summary>Published by the counter saga, in the transaction that reached <see cref="Count"/>.</summary>
public sealed record CounterChanged(Guid CounterId, int Count);

/// <summary>A command the messaging tests' batch consumer takes many at a time.</summary>
public sealed record TestBatchItem(string Group, int Sequence);

/// <summary>A message with a number and a text beside its id, for outbox templates.</summary>
public sealed record TestReport(Guid ReportId, long Total, string Label);
