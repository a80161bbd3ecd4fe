using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// The silo's health endpoints as the kubelet uses them, and the predictor silos' model and store.
/// The endpoints are the silo's contract: <c>/alive</c> (the process answers), <c>/health/ready</c>
/// (Active in the Orleans membership and, on predictors, a model loaded), <c>/health/startup</c>
/// (Active and the first model-load attempt over, loaded or not).
/// </summary>
public sealed class SiloProbeTests
{
    /// <summary>How long a first start may take: joining the membership and loading a model of a few minutes.</summary>
    private static readonly TimeSpan s_startupBudget = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void SiloProbesUseTheSilosHealthEndpointsOnItsHttpPort(string overlay)
    {
        foreach (var silo in Render(overlay).Silos())
        {
            var container = SiloContainer(silo);
            foreach (var (probe, path) in new[] { ("startupProbe", "/health/startup"), ("livenessProbe", "/alive"), ("readinessProbe", "/health/ready") })
            {
                Assert.True(container.ContainsKey(probe), $"{Describe(silo)}: no {probe}");
                var httpGet = Map(container, probe, "httpGet");
                Assert.True((string)httpGet["path"] == path, $"{Describe(silo)}: {probe} asks {httpGet["path"]}, not {path}");
                Assert.True((string)httpGet["port"] == "http", $"{Describe(silo)}: {probe} is not on the http port");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void StartupProbeWaitsForAFirstModelLoadOfMinutes(string overlay)
    {
        foreach (var silo in Render(overlay).Silos())
        {
            var probe = Map(SiloContainer(silo), "startupProbe");
            // Kubernetes' defaults where a field is left out.
            var delay = int.Parse(probe.GetValueOrDefault("initialDelaySeconds") as string ?? "0");
            var period = int.Parse(probe.GetValueOrDefault("periodSeconds") as string ?? "10");
            var failures = int.Parse(probe.GetValueOrDefault("failureThreshold") as string ?? "3");

            var budget = TimeSpan.FromSeconds(delay + (period * failures));
            Assert.True(budget >= s_startupBudget, $"{Describe(silo)}: the startup probe gives up after {budget}, less than {s_startupBudget}");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void PredictorsFollowTheModelRegistry(string overlay)
    {
        var manifests = Render(overlay);
        var predictor = manifests.Single("Deployment", "silo-predictor");

        // A fixed --model would serve until the registry names one; the registry is the only source here.
        Assert.False(manifests.EnvironmentNames(SiloContainer(predictor)).Contains("Silo__Model"), "silo-predictor sets Silo__Model; predictors follow the model registry");
        Assert.Equal("predictor", manifests.Environment(SiloContainer(predictor))["Silo__Roles"]);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void OnlyPredictorsMountTheStoreReadOnly(string overlay)
    {
        foreach (var silo in Render(overlay).Silos())
        {
            var readOnly = Mount(SiloContainer(silo), "store").GetValueOrDefault("readOnly") as string == "true";
            // Predictors only read model bundles; every other role writes shards, checkpoints or models.
            var predictor = Name(silo) == "silo-predictor";
            Assert.True(readOnly == predictor, $"{Describe(silo)}: store mounted {(readOnly ? "read-only" : "read-write")}");
        }
    }
}
