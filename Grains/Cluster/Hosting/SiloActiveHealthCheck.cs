using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>
/// Healthy while this silo is Active in Orleans' membership: joined, taking grain calls, not yet
/// shutting down. Orleans ships no health check of its own. Readiness and startup both need it.
/// </summary>
public sealed class SiloActiveHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {silo.SiloAddress} is active")
            : HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {status}"));
    }
}
