using System.Diagnostics.Metrics;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Distributed.Grains.Monitoring;

/// <summary>Registers the Prometheus exporter and the process gauges; map it with <c>MapMetricsApi()</c>.</summary>
public static class MonitoringServiceCollectionExtensions
{
    /// <summary>Adds <see cref="PrometheusCollector"/> (scoped to this host's meter factory) and <see cref="ProcessMetrics"/>.</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services, Action<MonitoringOptions>? configure = null)
    {
        services.AddMetrics();
        var options = services.AddOptions<MonitoringOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton<ProcessMetrics>();
        // Job phase, progress and throughput of the jobs this host runs (the coordinator's job runner).
        services.TryAddSingleton<IPipelineObserver>(provider => new PipelineMetrics(provider.GetRequiredService<IMeterFactory>()));
        services.TryAddSingleton(provider =>
        {
            // Create the process gauges with the collector so that they exist from the first scrape on.
            provider.GetRequiredService<ProcessMetrics>();
            return new PrometheusCollector(provider.GetRequiredService<IOptions<MonitoringOptions>>().Value.MeterPrefixes, provider.GetRequiredService<IMeterFactory>());
        });
        return services;
    }
}
