using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Distributed.Grains.Apis;

/// <summary>
/// The probes: <c>/alive</c> (the process answers), <c>/health/ready</c> (every check tagged
/// <see cref="ReadyTag"/> passes: 200, else 503) and <c>/health/startup</c> (every check tagged
/// <see cref="StartupTag"/> passes).
/// </summary>
public static class HealthApi
{
    /// <summary>Tag of the checks that decide whether this host takes traffic (a model is served, the silo is active).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Tag of the checks that decide whether this host has finished starting (e.g. the first model load).</summary>
    public const string StartupTag = "startup";

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

    /// <summary>Maps <c>/alive</c>, <c>/health/ready</c> and <c>/health/startup</c>.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/alive", Tagged(LiveTag));
        app.MapHealthChecks("/health/ready", Tagged(ReadyTag));
        app.MapHealthChecks("/health/startup", Tagged(StartupTag));
        return app;
    }

    private static HealthCheckOptions Tagged(string tag) => new() { Predicate = check => check.Tags.Contains(tag) };

    /// <summary>Registered once so that calling <see cref="AddHealthApi"/> twice adds the liveness check once.</summary>
    private sealed class LivenessMarker;
}
