using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Distributed.Grains.Serving;

/// <summary>Healthy once a model is being served; <c>/health/ready</c> answers 503 until then.</summary>
internal sealed class ModelHealthCheck(Predictor predictor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(predictor.Current is { } model
            ? HealthCheckResult.Healthy($"serving model {model.Version}")
            : HealthCheckResult.Unhealthy("no model loaded"));
}
