using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// What Orleans' Kubernetes hosting (<c>UseKubernetesHosting</c>, switched on by
/// <c>Silo__Kubernetes</c>) needs from every silo pod: its name, namespace and IP from the Downward
/// API, the <c>orleans/serviceId</c> and <c>orleans/clusterId</c> labels its agent watches, the same
/// ids in the silo's own settings, and an account allowed to watch and patch pods.
/// </summary>
public sealed class OrleansKubernetesHostingTests
{
    private const string ServiceIdLabel = "orleans/serviceId";
    private const string ClusterIdLabel = "orleans/clusterId";

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void SilosTurnOnKubernetesHosting(string overlay)
    {
        var manifests = Render(overlay);

        Assert.All(manifests.Silos(), silo =>
            Assert.True(manifests.Environment(SiloContainer(silo)).GetValueOrDefault("Silo__Kubernetes") == "true", $"{Describe(silo)}: Silo__Kubernetes is not \"true\""));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void SilosGetTheirPodNameNamespaceAndIpFromTheDownwardApi(string overlay)
    {
        var manifests = Render(overlay);

        foreach (var silo in manifests.Silos())
        {
            var fields = EnvFieldRefs(SiloContainer(silo));
            Assert.True(fields.GetValueOrDefault("POD_NAME") == "metadata.name", $"{Describe(silo)}: POD_NAME is not the pod's metadata.name");
            Assert.True(fields.GetValueOrDefault("POD_NAMESPACE") == "metadata.namespace", $"{Describe(silo)}: POD_NAMESPACE is not the pod's metadata.namespace");
            Assert.True(fields.GetValueOrDefault("POD_IP") == "status.podIP", $"{Describe(silo)}: POD_IP is not the pod's status.podIP");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void SiloIdsComeFromTheOrleansPodLabels(string overlay)
    {
        var manifests = Render(overlay);

        foreach (var silo in manifests.Silos())
        {
            var fields = EnvFieldRefs(SiloContainer(silo));
            var labels = PodLabels(silo);
            Assert.True(labels.ContainsKey(ServiceIdLabel), $"{Describe(silo)}: pods lack the {ServiceIdLabel} label");
            Assert.True(labels.ContainsKey(ClusterIdLabel), $"{Describe(silo)}: pods lack the {ClusterIdLabel} label");
            // One source for each id: the Orleans agent's variables and the silo's own settings read the label.
            foreach (var variable in new[] { "ORLEANS_SERVICE_ID", "Silo__ServiceId" })
            {
                Assert.True(fields.GetValueOrDefault(variable) == $"metadata.labels['{ServiceIdLabel}']", $"{Describe(silo)}: {variable} is not read from the {ServiceIdLabel} label");
            }
            foreach (var variable in new[] { "ORLEANS_CLUSTER_ID", "Silo__ClusterId" })
            {
                Assert.True(fields.GetValueOrDefault(variable) == $"metadata.labels['{ClusterIdLabel}']", $"{Describe(silo)}: {variable} is not read from the {ClusterIdLabel} label");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void AllSilosJoinOneClusterWithTheClientsIds(string overlay)
    {
        var silos = Render(overlay).Silos();

        // The Client has no switch for other ids, so `Client --cluster` only finds silos that keep its default.
        Assert.All(silos, silo => Assert.Equal("distributed", PodLabels(silo)[ServiceIdLabel]));
        Assert.All(silos, silo => Assert.Equal("distributed", PodLabels(silo)[ClusterIdLabel]));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void SiloServiceAccountMayGetListWatchAndPatchPods(string overlay)
    {
        var manifests = Render(overlay);
        var accounts = manifests.Silos().Select(s => PodSpec(s).GetValueOrDefault("serviceAccountName") as string).Distinct().ToList();

        var account = Assert.Single(accounts);
        Assert.NotNull(account);
        manifests.Single("ServiceAccount", account);
        var binding = manifests.OfKind("RoleBinding").Single(b =>
            List(b, "subjects").Cast<Dictionary<object, object>>().Any(s => (string)s["kind"] == "ServiceAccount" && (string)s["name"] == account));
        var roleRef = Map(binding, "roleRef");
        Assert.Equal("Role", roleRef["kind"]);
        var role = manifests.Single("Role", (string)roleRef["name"]);
        var rule = Assert.IsType<Dictionary<object, object>>(Assert.Single(List(role, "rules")));
        Assert.Equal([""], List(rule, "apiGroups").Cast<string>());
        Assert.Equal(["pods"], List(rule, "resources").Cast<string>());
        // Exactly what the agent uses; delete only if DeleteDefunctSiloPods were turned on.
        Assert.Equal(["get", "list", "patch", "watch"], List(rule, "verbs").Cast<string>().Order());
    }
}
