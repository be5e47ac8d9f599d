namespace Intent.Pipeline.Audiences;

/// <summary>One reason an input is invalid, naming the field (e.g. <c>config.filters.role.seniority.mode</c>).</summary>
public sealed record FieldError(string Field, string Message);
