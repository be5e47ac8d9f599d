namespace Intent.Pipeline.Previews;

public static class PreviewsRegistration
{
    /// <summary><see cref="PreviewOptions"/>, checked at start.</summary>
    public static IServiceCollection AddAudiencePreviews(this IServiceCollection services)
    {
        services.AddOptions<PreviewOptions>().BindConfiguration(PreviewOptions.SectionName)
            .Validate(o => o.StatementTimeout > TimeSpan.Zero, "Previews:StatementTimeout must be positive")
            .Validate(o => o.SampleSize is >= 1 and <= 50, "Previews:SampleSize must be from 1 to 50")
            .Validate(o => o.BreakdownSize is >= 1 and <= 100, "Previews:BreakdownSize must be from 1 to 100")
            .ValidateOnStart();
        return services;
    }
}
