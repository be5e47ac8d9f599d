namespace Intent.Cli.Errors;

/// <summary>What a replay moved: <see cref="Replayed"/> messages from <see cref="ErrorQueue"/> to <see cref="SourceQueue"/>, <see cref="Left"/> still waiting.</summary>
public sealed record ReplayResult(string ErrorQueue, string SourceQueue, int Replayed, long Left);
