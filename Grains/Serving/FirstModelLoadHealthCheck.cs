using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Distributed.Grains.Serving;

/// <summary>
/// Healthy once the first attempt to get a model has finished, loaded or not: <c>/health/startup</c>
/// covers a first load that verifies a large bundle, without restarting a pod forever on a cluster
/// that has published no model yet.
/// </summary>
internal sealed class FirstModelLoadHealthCheck(Predictor predictor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(predictor.FirstLoadSettled
            ? HealthCheckResult.Healthy(predictor.Current is { } model ? $"serving model {model.Version}" : "no model to serve yet")
            : HealthCheckResult.Unhealthy("the first model load has not finished"));
}
