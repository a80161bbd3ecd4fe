using Distributed.Ml.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Distributed.Grains.Monitoring;

/// <summary>Registers this host's Prometheus registry and the job progress metrics; map <c>/metrics</c> with <c>MapMetricsApi()</c>.</summary>
public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="HostMetrics"/> (process, runtime and Orleans metrics in a registry of this host's
    /// own) and <see cref="PipelineMetrics"/> as the host's <see cref="IPipelineObserver"/>.
    /// </summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<HostMetrics>();
        // Job phase, progress and throughput of the jobs this host runs (the coordinator's job runner).
        services.TryAddSingleton<IPipelineObserver>(provider => new PipelineMetrics(provider.GetRequiredService<HostMetrics>()));
        return services;
    }
}
