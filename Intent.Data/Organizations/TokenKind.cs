namespace Intent.Data.Organizations;

/// <summary>How a token is presented: <c>Authorization: Bearer</c> or <c>x-api-key</c>.</summary>
public enum TokenKind
{
    Dashboard,
    ApiKey,
}
