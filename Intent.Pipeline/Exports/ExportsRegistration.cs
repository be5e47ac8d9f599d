using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intent.Pipeline.Exports;

public static class ExportsRegistration
{
    /// <summary>The export store and download-link signing; the host refuses to start without a signing key of its own.</summary>
    public static IServiceCollection AddIntentExports(this IServiceCollection services)
    {
        services.AddOptions<ExportOptions>()
            .BindConfiguration(ExportOptions.SectionName)
            .Validate(o => o.SigningKey.Length >= ExportOptions.MinimumSigningKeyLength,
                $"Exports:SigningKey must be set to a secret of at least {ExportOptions.MinimumSigningKeyLength} characters (Exports__SigningKey)")
            .Validate(o => !PublishedSigningKeys.Contains(o.SigningKey),
                "Exports:SigningKey is a key that appeared in Intent's repository, so anyone can sign download links with it; "
                + "set a secret of your own (Exports__SigningKey), e.g. from: openssl rand -base64 48")
            .Validate(o => o.Storage is "local" or "s3", "Exports:Storage must be local or s3")
            .Validate(o => o.Storage != "s3" || (o.S3.Bucket.Length > 0 && o.S3.AccessKey.Length > 0 && o.S3.SecretKey.Length > 0),
                "Exports:Storage s3 needs Exports:S3:Bucket, Exports:S3:AccessKey and Exports:S3:SecretKey")
            .ValidateOnStart();
        services.AddSingleton<IExportStore>(provider =>
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ExportOptions>>().Value.Storage == "s3"
                ? ActivatorUtilities.CreateInstance<S3ExportStore>(provider)
                : ActivatorUtilities.CreateInstance<LocalExportStore>(provider));
        services.AddSingleton<DownloadUrls>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
