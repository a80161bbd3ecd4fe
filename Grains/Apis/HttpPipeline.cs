using Distributed.Grains.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Distributed.Grains.Apis;

/// <summary>The request pipeline every HTTP host of the product shares (the Silo and <c>serve</c>).</summary>
public static class HttpPipeline
{
    /// <summary>
    /// Routing, then HTTP request metrics (<c>http_requests_received_total</c>,
    /// <c>http_request_duration_seconds</c>, labelled with the endpoint that matched, into this host's
    /// registry), then authentication and authorization for the admin endpoints. Explicit, because
    /// the host's implicit order puts authorization before routing once routing is called by hand,
    /// and the metrics must come after routing.
    /// </summary>
    public static WebApplication UseHttpPipeline(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.Services.GetRequiredService<HostMetrics>();
        app.UseRouting();
        app.UseHttpMetrics(options => options.SetMetricFactory(metrics.Factory));
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
