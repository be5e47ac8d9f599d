namespace Intent.Tests.Unit.Runs;

/// <summary>A command the saga sent to the database, with its parameters' values.</summary>
public sealed record ExecutedCommand(string Sql, IReadOnlyDictionary<string, object?> Parameters);
