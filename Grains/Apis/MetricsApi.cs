using Distributed.Grains.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Grains.Apis;

/// <summary><c>GET /metrics</c>: every exported instrument in the Prometheus text format 0.0.4.</summary>
public static class MetricsApi
{
    /// <summary>Maps the scrape endpoint; needs <c>AddMonitoring()</c> (which <c>AddPredictor()</c> includes).</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolve now, not at the first scrape, so the listener sees measurements from the start.
        var collector = app.ServiceProvider.GetRequiredService<PrometheusCollector>();
        app.MapGet(pattern, () => TypedResults.Text(collector.Scrape(), PrometheusTextFormat.ContentType))
            .WithName("Metrics")
            .WithTags("Monitoring")
            .WithSummary("Prometheus text exposition format 0.0.4");
        return app;
    }
}
