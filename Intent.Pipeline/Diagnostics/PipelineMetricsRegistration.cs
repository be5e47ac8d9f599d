using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intent.Pipeline.Diagnostics;

public static class PipelineMetricsRegistration
{
    /// <summary>One <see cref="PipelineMetrics"/> per host, on the host's <see cref="IMeterFactory"/> when it has one.</summary>
    public static IServiceCollection AddPipelineMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => new PipelineMetrics(provider.GetService<IMeterFactory>()));
        return services;
    }
}
