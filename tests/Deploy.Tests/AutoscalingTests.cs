using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// The cpu silos scale with KEDA on the shard calls waiting for them, read from the Prometheus of
/// these manifests; KEDA owns their replica count, and no other silo role scales.
/// </summary>
public sealed class AutoscalingTests
{
    private const string PendingCpuShards = "sum(distributed_cluster_shards_pending{role=\"cpu\"})";

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void CpuSilosScaleOnPendingCpuShards(string overlay)
    {
        var manifests = Render(overlay);
        var scaler = Assert.Single(manifests.OfKind("ScaledObject"));

        Assert.Equal("keda.sh/v1alpha1", scaler["apiVersion"]);
        var target = Map(scaler, "spec", "scaleTargetRef");
        Assert.Equal("Deployment", target.GetValueOrDefault("kind") ?? "Deployment");
        Assert.Equal("silo-cpu", target["name"]);
        var trigger = Assert.IsType<Dictionary<object, object>>(Assert.Single(List(Map(scaler, "spec"), "triggers")));
        Assert.Equal("prometheus", trigger["type"]);
        var metadata = Map(trigger, "metadata");
        Assert.Equal(PendingCpuShards, metadata["query"]);
        Assert.True(double.Parse((string)metadata["threshold"], System.Globalization.CultureInfo.InvariantCulture) > 0, "threshold is not a positive number");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void KedaQueriesThePrometheusServiceOfTheseManifests(string overlay)
    {
        var manifests = Render(overlay);
        var scaler = Assert.Single(manifests.OfKind("ScaledObject"));
        var address = new Uri((string)Map(Assert.IsType<Dictionary<object, object>>(List(Map(scaler, "spec"), "triggers")[0]), "metadata")["serverAddress"]);

        // KEDA runs in its own namespace, so the address names the Service with its namespace.
        var service = manifests.Single("Service", "prometheus");
        Assert.Equal($"{Name(service)}.{NetworkPolicies.Namespace}.svc.cluster.local", address.Host);
        Assert.Contains(List(Map(service, "spec"), "ports").Cast<Dictionary<object, object>>(), p => (string)p["port"] == address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void CpuSiloReplicasStayWithinSensibleBounds(string overlay)
    {
        var spec = Map(Assert.Single(Render(overlay).OfKind("ScaledObject")), "spec");

        var min = int.Parse((string)spec["minReplicaCount"]);
        var max = int.Parse((string)spec["maxReplicaCount"]);
        // At least one: with no cpu silo the shard calls find no silo, so nothing would be pending to scale up on.
        Assert.InRange(min, 1, max);
        Assert.InRange(int.Parse((string)Map(spec, "fallback")["replicas"]), min, max);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void KedaOwnsTheCpuSiloReplicaCount(string overlay)
    {
        var manifests = Render(overlay);

        // A fixed count would be reset by every `kubectl apply`, and a second autoscaler would fight KEDA's.
        Assert.False(Map(manifests.Single("Deployment", "silo-cpu"), "spec").ContainsKey("replicas"), "silo-cpu sets replicas, which KEDA owns");
        Assert.Empty(manifests.OfKind("HorizontalPodAutoscaler"));
    }
}
