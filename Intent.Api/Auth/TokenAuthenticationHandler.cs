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
/// against the stored SHA-256 hashes; revoked and expired tokens fail. The caller's organization
/// becomes a claim. Lookups are reused for <see cref="AuthOptions.TokenCacheTtl"/> (<see cref="TokenCache"/>).
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IntentDbContext db,
    TokenCache cache,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "IntentToken";
    public const string OrganizationClaim = "organization_id";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    // Runs on every lookup: compiled once, not translated per call.
    private static readonly Func<IntentDbContext, byte[], TokenKind, CancellationToken, Task<KnownToken?>> FindToken =
        EF.CompileAsyncQuery((IntentDbContext db, byte[] hash, TokenKind kind, CancellationToken _) =>
            db.ApiTokens.AsNoTracking()
                .Where(t => t.TokenHash == hash && t.Kind == kind && t.RevokedAt == null)
                .Select(t => new KnownToken(t.Id, t.OrganizationId, t.ExpiresAt, t.LastUsedAt))
                .SingleOrDefault());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (token, kind) = ReadToken();
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = Tokens.Hash(token);
        var row = cache.Get(hash, kind);
        if (row is null)
        {
            row = await FindToken(db, hash, kind, Context.RequestAborted) ?? KnownToken.Unknown;
            cache.Set(hash, kind, row);
        }

        if (row == KnownToken.Unknown)
        {
            return AuthenticateResult.Fail("The token is not valid.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (row.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("The token has expired.");
        }

        if (row.TryMarkUsed(now, LastUsedResolution))
        {
            await db.ApiTokens.Where(t => t.Id == row.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity([new Claim(OrganizationClaim, row.OrganizationId.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

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
