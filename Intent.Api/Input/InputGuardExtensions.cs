namespace Intent.Api.Input;

public static class InputGuardExtensions
{
    public static IHostApplicationBuilder AddInputLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InputLimits>().Bind(builder.Configuration.GetSection(InputLimits.Section))
            .Validate(l => l.MaxBodyBytes > 0 && l.MaxDepth > 0 && l.MaxItems > 0 && l.MaxQueryValueLength > 0, "Input limits must be positive.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>Refuses hostile input before authentication and binding; see <see cref="RequestInputGuard"/>.</summary>
    public static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) => app.UseMiddleware<RequestInputGuard>();
}
