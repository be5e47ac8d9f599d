using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intent.Data.Exports;

public static class ExportsRegistration
{
    /// <summary>The export store and download-link signing; the host refuses to start without a signing key.</summary>
    public static IServiceCollection AddIntentExports(this IServiceCollection services)
    {
        services.AddOptions<ExportOptions>()
            .BindConfiguration(ExportOptions.SectionName)
            .Validate(o => o.SigningKey.Length >= ExportOptions.MinimumSigningKeyLength,
                $"Exports:SigningKey must be set to a secret of at least {ExportOptions.MinimumSigningKeyLength} characters (Exports__SigningKey)")
            .ValidateOnStart();
        services.AddSingleton<IExportStore, LocalExportStore>();
        services.AddSingleton<DownloadUrls>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
