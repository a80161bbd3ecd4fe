using static Distributed.Deploy.Tests.Manifests;
using Peer = Distributed.Deploy.Tests.NetworkPolicies.Peer;

namespace Distributed.Deploy.Tests;

/// <summary>
/// Who may connect to what, asked of the rendered NetworkPolicies for concrete pods: the silos,
/// Prometheus, Grafana, KEDA's operator, a labelled prediction client in another namespace and an
/// unlabelled pod beside it.
/// </summary>
public sealed class NetworkPolicyTests
{
    private const int SiloPort = 11111;
    private const int GatewayPort = 30000;
    private const int HttpPort = 8080;
    private const int RedisPort = 6379;
    private const int RedisExporterPort = 9121;
    private const int PrometheusPort = 9090;
    private const int GrafanaPort = 3000;

    private static readonly Peer s_predictorClient = Peer.With("shop", ("labeller.io/predictor-client", "true"));
    private static readonly Peer s_unlabelledInNamespace = Peer.With(NetworkPolicies.Namespace, ("app", "something-else"));
    private static readonly Peer s_unlabelledElsewhere = Peer.With("shop", ("app", "something-else"));
    private static readonly Peer s_keda = Peer.With("keda", ("app.kubernetes.io/name", "keda-operator"));

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void NamespaceDeniesIngressByDefault(string overlay)
    {
        var manifests = Render(overlay);
        var policies = new NetworkPolicies(manifests);

        Assert.Contains(manifests.OfKind("NetworkPolicy"), p =>
            Map(p, "spec", "podSelector").Count == 0 && List(Map(p, "spec"), "policyTypes").Contains("Ingress") && List(Map(p, "spec"), "ingress").Count == 0);
        // Nothing opens Grafana: it is reached with kubectl port-forward.
        Assert.False(policies.Allows(s_unlabelledInNamespace, manifests.Single("Deployment", "grafana"), GrafanaPort));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void OrleansPortsAreOpenOnlyAmongSilos(string overlay)
    {
        var manifests = Render(overlay);
        var policies = new NetworkPolicies(manifests);
        var outsiders = new[] { "prometheus", "grafana" }.Select(n => Peer.Of(manifests.Single("Deployment", n)))
            .Append(Peer.Of(manifests.Single("StatefulSet", "redis"))).Append(s_predictorClient).Append(s_unlabelledInNamespace);

        foreach (var silo in manifests.Silos())
        {
            foreach (var port in new[] { SiloPort, GatewayPort })
            {
                Assert.All(manifests.Silos(), other => Assert.True(policies.Allows(Peer.Of(other), silo, port), $"{Name(other)} cannot reach {Name(silo)}:{port}"));
                Assert.All(outsiders, outsider => Assert.False(policies.Allows(outsider, silo, port), $"{outsider} reaches {Name(silo)}:{port}"));
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void RedisAcceptsOnlySilos(string overlay)
    {
        var manifests = Render(overlay);
        var policies = new NetworkPolicies(manifests);
        var redis = manifests.Single("StatefulSet", "redis");

        Assert.All(manifests.Silos(), silo => Assert.True(policies.Allows(Peer.Of(silo), redis, RedisPort), $"{Name(silo)} cannot reach Redis"));
        foreach (var outsider in new[] { Peer.Of(manifests.Single("Deployment", "prometheus")), Peer.Of(manifests.Single("Deployment", "grafana")), s_predictorClient, s_unlabelledInNamespace })
        {
            Assert.False(policies.Allows(outsider, redis, RedisPort), $"{outsider} reaches Redis");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void PredictorApiIsOpenToLabelledClientsInAnyNamespace(string overlay)
    {
        var manifests = Render(overlay);
        var policies = new NetworkPolicies(manifests);
        var predictor = manifests.Single("Deployment", "silo-predictor");

        Assert.True(policies.Allows(s_predictorClient, predictor, HttpPort));
        Assert.False(policies.Allows(s_unlabelledElsewhere, predictor, HttpPort));
        Assert.False(policies.Allows(s_unlabelledInNamespace, predictor, HttpPort));
        // The label opens the prediction API, not the other silos' HTTP or the predictor's Orleans ports.
        Assert.False(policies.Allows(s_predictorClient, manifests.Single("Deployment", "silo-coordinator"), HttpPort));
        Assert.False(policies.Allows(s_predictorClient, predictor, GatewayPort));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void PrometheusScrapesEverySiloAndTheRedisExporter(string overlay)
    {
        var manifests = Render(overlay);
        var policies = new NetworkPolicies(manifests);
        var prometheus = Peer.Of(manifests.Single("Deployment", "prometheus"));

        Assert.All(manifests.Silos(), silo => Assert.True(policies.Allows(prometheus, silo, HttpPort), $"Prometheus cannot scrape {Name(silo)}"));
        Assert.True(policies.Allows(prometheus, manifests.Single("StatefulSet", "redis"), RedisExporterPort));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void PrometheusAnswersGrafanaAndKeda(string overlay)
    {
        var manifests = Render(overlay);
        var policies = new NetworkPolicies(manifests);
        var prometheus = manifests.Single("Deployment", "prometheus");

        Assert.True(policies.Allows(Peer.Of(manifests.Single("Deployment", "grafana")), prometheus, PrometheusPort));
        // KEDA's operator runs the autoscaling query (cpu-autoscaling.yaml) from its own namespace.
        Assert.True(policies.Allows(s_keda, prometheus, PrometheusPort));
        Assert.False(policies.Allows(s_unlabelledElsewhere, prometheus, PrometheusPort));
        Assert.False(policies.Allows(s_predictorClient, prometheus, PrometheusPort));
    }
}
