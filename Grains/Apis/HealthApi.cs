using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Distributed.Grains.Apis;

/// <summary><c>/health</c> (every check: 200 when all pass, 503 otherwise) and <c>/alive</c> (the process answers).</summary>
public static class HealthApi
{
    private const string LiveTag = "live";

    /// <summary>Adds the health checks service with an always-healthy liveness check; add readiness checks to the builder it returns.</summary>
    public static IHealthChecksBuilder AddHealthApi(this IServiceCollection services)
    {
        var builder = services.AddHealthChecks();
        if (!services.Any(s => s.ServiceType == typeof(LivenessMarker)))
        {
            services.AddSingleton<LivenessMarker>();
            builder.AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        }
        return builder;
    }

    /// <summary>Maps <c>/health</c> and <c>/alive</c>.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        return app;
    }

    /// <summary>Registered once so that calling <see cref="AddHealthApi"/> twice adds the liveness check once.</summary>
    private sealed class LivenessMarker;
}
