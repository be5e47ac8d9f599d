namespace Intent.Pipeline.Previews;

/// <summary>
/// A sample person of a preview, masked inside PostgreSQL: <c>hashedEmail</c> cut to its first 6 characters and
/// <c>…</c>, first and last name to their initial and <c>***</c>; no email, phone or LinkedIn field at all.
/// </summary>
public sealed record PreviewPerson(
    string HashedEmail,
    string? FirstName,
    string? LastName,
    string? JobTitle,
    string? Seniority,
    PreviewCompany Company,
    PreviewIntent Intent,
    bool Masked);
