namespace Intent.Pipeline.Runs;

/// <summary>A run's stored config does not parse; its message names the fields and is safe to show the tenant.</summary>
public sealed class InvalidRunConfigException(string message) : Exception(message);
