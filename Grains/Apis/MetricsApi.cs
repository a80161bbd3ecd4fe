using Distributed.Grains.Monitoring;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Distributed.Grains.Apis;

/// <summary><c>GET /metrics</c>: this host's registry in the Prometheus text format.</summary>
public static class MetricsApi
{
    /// <summary>Maps the scrape endpoint; needs <c>AddMonitoring()</c> (which <c>AddPredictor()</c> includes).</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved now, not at the first scrape, so the Orleans adapter sees measurements from the start.
        var host = app.ServiceProvider.GetRequiredService<HostMetrics>();
        app.MapMetrics(settings => settings.Registry = host.Registry, pattern);
        return app;
    }
}
