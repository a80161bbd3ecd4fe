using System.Xml.Linq;
using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// Renders k8s/ the way an operator would (<c>kubectl kustomize</c>, offline) and checks what the
/// cluster relies on: one Deployment per silo role wired to Redis (Orleans membership, grain state,
/// reminders) and the shared store, each silo advertising its pod IP on the silo and gateway ports,
/// a persistent Redis, the coordinator's two replicas, and scraping. The other test classes here
/// cover one concern each (Orleans' Kubernetes hosting, probes, the Redis Secret, hardening,
/// availability, network policies, autoscaling, the GPU component, Grafana).
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] s_roles = ["gpu", "cpu", "coordinator", "predictor"];

    /// <summary>
    /// The settings Silo/Program.cs reads, as environment variables. Silo__Kubernetes (Orleans'
    /// Kubernetes hosting), Silo__RedisPassword and Silo__ApiKeyFile are the names agreed with the
    /// silo side for the Kubernetes deployment.
    /// </summary>
    private static readonly string[] s_siloSettings =
    [
        "Silo__Roles", "Silo__Redis", "Silo__Store", "Silo__HttpPort", "Silo__HttpHost", "Silo__SiloPort", "Silo__GatewayPort",
        "Silo__Id", "Silo__AdvertisedAddress", "Silo__Model", "Silo__ClusterId", "Silo__ServiceId",
        "Silo__Kubernetes", "Silo__RedisPassword", "Silo__ApiKeyFile", "Silo__FeatureBackend",
    ];

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EveryObjectLandsInTheLabellerNamespace(string overlay)
    {
        var manifests = Render(overlay);

        Assert.NotEmpty(manifests.Documents);
        foreach (var document in manifests.Documents.Where(d => (string)d["kind"] != "Namespace"))
        {
            Assert.Equal("labeller", Map(document, "metadata")["namespace"]);
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EachSiloRoleHasADeploymentWiredToRedisAndTheStore(string overlay)
    {
        var manifests = Render(overlay);
        var silos = manifests.Silos();

        var roles = silos.Select(d => manifests.Environment(SiloContainer(d))["Silo__Roles"]).Order().ToArray();
        Assert.Equal(s_roles.Order().ToArray(), roles);

        var store = manifests.Single("PersistentVolumeClaim", "labeller-store");
        Assert.Contains("ReadWriteMany", List(Map(store, "spec"), "accessModes"));
        foreach (var deployment in silos)
        {
            var container = SiloContainer(deployment);
            var env = manifests.Environment(container);
            var fields = EnvFieldRefs(container);

            // Orleans membership, grain state and reminders: the Redis Service of these manifests.
            Assert.Equal("redis:6379", env["Silo__Redis"]);
            // Identity and address come from the pod, so every replica is a distinct silo that the
            // others reach directly (not through a Service, which would pick any replica).
            Assert.Equal("metadata.name", fields["Silo__Id"]);
            Assert.Equal("status.podIP", fields["Silo__AdvertisedAddress"]);
            Assert.False(env.ContainsKey("Silo__Id"), "Silo__Id is also set to a literal, which would override the pod name");
            Assert.False(env.ContainsKey("Silo__AdvertisedAddress"), "Silo__AdvertisedAddress is also set to a literal");
            // The ports the silo listens on are the ports the container declares.
            Assert.Equal("11111", env["Silo__SiloPort"]);
            Assert.Equal("30000", env["Silo__GatewayPort"]);
            Assert.Equal(env["Silo__SiloPort"], ContainerPort(container, "silo"));
            Assert.Equal(env["Silo__GatewayPort"], ContainerPort(container, "gateway"));
            Assert.Equal(env["Silo__HttpPort"], ContainerPort(container, "http"));
            // A misspelt setting is silently ignored by configuration binding (Silo__Name was, once),
            // and a removed one (Silo__Broker, Silo__LeaseSeconds) would be a stale promise.
            Assert.All(manifests.EnvironmentNames(container).Where(k => k.StartsWith("Silo__", StringComparison.Ordinal)),
                key => Assert.Contains(key, s_siloSettings));
            Assert.Equal("/store", env["Silo__Store"]);
            Assert.Equal(env["Silo__Store"], MountPath(container, "store"));
            Assert.Equal("labeller-store", Map(Volume(deployment, "store"), "persistentVolumeClaim")["claimName"]);
            var annotations = Map(deployment, "spec", "template", "metadata", "annotations");
            Assert.Equal("true", annotations["prometheus.io/scrape"]);
            Assert.Equal("/metrics", annotations["prometheus.io/path"]);
            Assert.Equal(env["Silo__HttpPort"], annotations["prometheus.io/port"]);
            // Room for SIGTERM to deactivate grains and leave the membership before the kubelet kills the silo.
            Assert.True(int.Parse((string)Map(deployment, "spec", "template", "spec")["terminationGracePeriodSeconds"]) >= 60);
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void RedisKeepsItsDataOnAPersistentVolumeWithAppendOnly(string overlay)
    {
        var manifests = Render(overlay);
        var redis = manifests.Single("StatefulSet", "redis");
        var container = List(Map(redis, "spec", "template", "spec"), "containers").Cast<Dictionary<object, object>>()
            .Single(c => (string)c["name"] == "redis");
        var arguments = List(container, "command").Concat(List(container, "args")).Cast<string>().ToList();

        // Membership, grain state and reminders: a restarted Redis must come back with all of them.
        Assert.Equal("yes", Option(arguments, "--appendonly"));
        // Evicting a key would silently lose a grain's state or a silo's membership row.
        var policy = Option(arguments, "--maxmemory-policy");
        Assert.True(policy is null or "noeviction", $"Redis evicts keys (--maxmemory-policy {policy})");

        var directory = Option(arguments, "--dir") ?? "/data"; // the official image's working directory
        var mount = List(container, "volumeMounts").Cast<Dictionary<object, object>>()
            .Single(m => (string)m["mountPath"] == directory);
        var claim = List(Map(redis, "spec"), "volumeClaimTemplates").Cast<Dictionary<object, object>>()
            .Single(t => Name(t) == (string)mount["name"]);
        Assert.Contains("ReadWriteOnce", List(Map(claim, "spec"), "accessModes"));
        Assert.False(string.IsNullOrEmpty((string)Map(claim, "spec", "resources", "requests")["storage"]));
        Assert.Equal("1", Map(redis, "spec")["replicas"]);

        // The Service the silos' Silo__Redis names, selecting this pod, on the port Redis listens on.
        var service = manifests.Single("Service", "redis");
        var selector = Map(service, "spec", "selector");
        var labels = Map(redis, "spec", "template", "metadata", "labels");
        Assert.All(selector, pair => Assert.Equal(pair.Value, labels[pair.Key]));
        var port = Assert.IsType<Dictionary<object, object>>(Assert.Single(List(Map(service, "spec"), "ports")));
        Assert.Equal("6379", port["port"]);
        var targetPort = port.TryGetValue("targetPort", out var t) ? (string)t : "6379";
        Assert.Equal("6379", int.TryParse(targetPort, out _) ? targetPort : ContainerPort(container, targetPort));
        Assert.Equal("6379", Option(arguments, "--port") ?? "6379");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void NothingReferencesTheRetiredBroker(string overlay)
    {
        var yaml = RenderText(overlay);

        Assert.DoesNotContain("rabbitmq", yaml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("amqp", yaml, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CoordinatorRunsOnTwoSilosSoAJobSurvivesOne()
    {
        foreach (var overlay in new[] { "dev", "production" })
        {
            var coordinator = Render(overlay).Single("Deployment", "silo-coordinator");
            Assert.True(int.Parse((string)Map(coordinator, "spec")["replicas"]) >= 2, $"{overlay}: one coordinator replica");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EveryConfigMapThePodsReferenceIsRendered(string overlay)
    {
        var manifests = Render(overlay);
        var containers = manifests.Workloads().SelectMany(Containers).ToList();
        var volumes = manifests.Workloads().SelectMany(w => List(PodSpec(w), "volumes").Cast<Dictionary<object, object>>());

        var configMaps = containers.SelectMany(c => List(c, "env").Cast<Dictionary<object, object>>())
            .Where(e => e.TryGetValue("valueFrom", out var from) && ((Dictionary<object, object>)from).ContainsKey("configMapKeyRef"))
            .Select(e => (string)Map(e, "valueFrom", "configMapKeyRef")["name"])
            .Concat(containers.SelectMany(c => List(c, "envFrom").Cast<Dictionary<object, object>>())
                .Where(s => s.ContainsKey("configMapRef")).Select(s => (string)Map(s, "configMapRef")["name"]))
            .Concat(volumes.Where(v => v.ContainsKey("configMap")).Select(v => (string)Map(v, "configMap")["name"]))
            .ToHashSet();

        Assert.Contains("silo-config", configMaps);
        // Nothing but the production Redis password (RedisSecretTests) has to be created by hand before the first apply.
        Assert.Subset(manifests.OfKind("ConfigMap").Select(Name).ToHashSet(), configMaps);
    }

    [Fact]
    public void PrometheusScrapesEveryAnnotatedPodOnAPortItExposes()
    {
        var manifests = Render("production");
        // Debian's promtool is built without Kubernetes discovery, so the scrape job is checked here.
        var config = (string)Map(manifests.Single("ConfigMap", "prometheus-config"), "data")["prometheus.yml"];
        Assert.Contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape", config);
        Assert.Contains("__meta_kubernetes_pod_annotation_prometheus_io_port", config);

        var scraped = manifests.Workloads()
            .Where(d => Map(d, "spec", "template", "metadata").ContainsKey("annotations"))
            .ToList();
        Assert.Equal(5, scraped.Count); // four silo roles and Redis (its exporter)
        foreach (var workload in scraped)
        {
            var annotations = Map(workload, "spec", "template", "metadata", "annotations");
            var ports = List(Map(workload, "spec", "template", "spec"), "containers").Cast<Dictionary<object, object>>()
                .SelectMany(c => List(c, "ports").Cast<Dictionary<object, object>>())
                .Select(p => (string)p["containerPort"]);
            Assert.Equal("true", annotations["prometheus.io/scrape"]);
            Assert.Contains((string)annotations["prometheus.io/port"], ports);
        }
    }

    [Fact]
    public void SiloImageStartsTheSiloAssembly()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot, "Silo", "Silo.csproj"));
        var assembly = project.Descendants("AssemblyName").Single().Value;
        var dockerfile = File.ReadAllLines(Path.Combine(RepositoryRoot, "Silo", "Dockerfile"));

        var entryPoint = Assert.Single(dockerfile, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        Assert.Contains($"\"{assembly}.dll\"", entryPoint);
        Assert.Contains(dockerfile, l => l.Contains("dotnet publish Silo/Silo.csproj", StringComparison.Ordinal));
    }
}
