using System.Security.Claims;
using System.Text.Encodings.Web;
using Intent.Data;
using Intent.Data.Organizations;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Intent.Api.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;dashboard token&gt;</c> and <c>x-api-key: sk_...</c>
/// against the stored SHA-256 hashes; revoked tokens fail. The caller's organization becomes a claim.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IntentDbContext db,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "IntentToken";
    public const string OrganizationClaim = "organization_id";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    // Runs on every request: compiled once, not translated per call.
    private static readonly Func<IntentDbContext, byte[], TokenKind, CancellationToken, Task<ValidToken?>> FindToken =
        EF.CompileAsyncQuery((IntentDbContext db, byte[] hash, TokenKind kind, CancellationToken _) =>
            db.ApiTokens.AsNoTracking()
                .Where(t => t.TokenHash == hash && t.Kind == kind && t.RevokedAt == null)
                .Select(t => new ValidToken(t.Id, t.OrganizationId, t.LastUsedAt))
                .SingleOrDefault());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (token, kind) = ReadToken();
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = Tokens.Hash(token);
        var row = await FindToken(db, hash, kind, Context.RequestAborted);
        if (row is null)
        {
            return AuthenticateResult.Fail("The token is not valid.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (row.LastUsedAt is null || now - row.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == row.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity([new Claim(OrganizationClaim, row.OrganizationId.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private sealed record ValidToken(Guid Id, Guid OrganizationId, DateTime? LastUsedAt);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.WriteErrorAsync(
            StatusCodes.Status401Unauthorized,
            "UNAUTHORIZED",
            "A valid token is required: Authorization: Bearer <token> or x-api-key: sk_...");

    private (string? Token, TokenKind Kind) ReadToken()
    {
        var apiKey = Request.Headers["x-api-key"].ToString();
        if (!string.IsNullOrEmpty(apiKey))
        {
            return (apiKey.Trim(), TokenKind.ApiKey);
        }

        var authorization = Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            ? (authorization[bearer.Length..].Trim(), TokenKind.Dashboard)
            : (null, TokenKind.Dashboard);
    }
}
