namespace Intent.Pipeline.Previews;

public sealed record PreviewCompany(string? Name, string? Domain, string? Industry);
