using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Intent.Api.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddTokenAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        // Every route needs a token unless it says AllowAnonymous: a new endpoint is never public by accident.
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName)
            .Validate(o => o.TokenCacheTtl >= TimeSpan.Zero, "Auth:TokenCacheTtl must not be negative")
            .Validate(o => o.TokenCacheSize >= 1, "Auth:TokenCacheSize must be 1 or more")
            .ValidateOnStart();
        builder.Services.AddSingleton<TokenCache>();
        return builder;
    }

    /// <summary>The organization of the authenticated caller.</summary>
    public static Guid OrganizationId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(TokenAuthenticationHandler.OrganizationClaim)
            ?? throw new InvalidOperationException("The endpoint requires authentication."));
}
