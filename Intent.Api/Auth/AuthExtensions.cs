using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Intent.Api.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddTokenAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>The organization of the authenticated caller.</summary>
    public static Guid OrganizationId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(TokenAuthenticationHandler.OrganizationClaim)
            ?? throw new InvalidOperationException("The endpoint requires authentication."));
}
