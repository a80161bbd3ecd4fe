using System.Xml.Linq;
using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// Renders k8s/ the way an operator would (<c>kubectl kustomize</c>, offline) and checks what the
/// cluster relies on: one Deployment per silo role wired to Redis (Orleans membership, grain state,
/// reminders) and the shared store, each silo advertising its pod IP on the silo and gateway ports,
/// a persistent Redis, probes on the silo's endpoints,
/// CPU autoscaling of the worker silos, and scraping.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] s_roles = ["gpu", "cpu", "coordinator", "predictor"];

    /// <summary>The settings Silo/Program.cs reads, as environment variables.</summary>
    private static readonly string[] s_siloSettings =
    [
        "Silo__Roles", "Silo__Redis", "Silo__Store", "Silo__HttpPort", "Silo__SiloPort", "Silo__GatewayPort",
        "Silo__Id", "Silo__AdvertisedAddress", "Silo__Model", "Silo__ClusterId", "Silo__ServiceId",
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
            Assert.Equal("/alive", Map(container, "livenessProbe", "httpGet")["path"]);
            Assert.Equal("/health", Map(container, "readinessProbe", "httpGet")["path"]);
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
        var manifests = Render(overlay);
        var yaml = RenderText(overlay);

        Assert.DoesNotContain("rabbitmq", yaml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("amqp", yaml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(manifests.Documents, d => ((string)d["apiVersion"]).StartsWith("keda.sh/", StringComparison.Ordinal));
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
    public void EveryConfigMapAndSecretThePodsReferenceIsRendered(string overlay)
    {
        var manifests = Render(overlay);
        var pods = manifests.Workloads()
            .Select(d => Map(d, "spec", "template", "spec"))
            .ToList();
        var containers = pods.SelectMany(p => List(p, "containers").Cast<Dictionary<object, object>>()).ToList();
        var env = containers.SelectMany(c => List(c, "env").Cast<Dictionary<object, object>>())
            .Where(e => e.ContainsKey("valueFrom"))
            .Select(e => Map(e, "valueFrom"))
            .ToList();
        var envFrom = containers.SelectMany(c => List(c, "envFrom").Cast<Dictionary<object, object>>()).ToList();
        var volumes = pods.SelectMany(p => List(p, "volumes").Cast<Dictionary<object, object>>()).ToList();

        var configMaps = env.Where(v => v.ContainsKey("configMapKeyRef")).Select(v => (string)Map(v, "configMapKeyRef")["name"])
            .Concat(envFrom.Where(s => s.ContainsKey("configMapRef")).Select(s => (string)Map(s, "configMapRef")["name"]))
            .Concat(volumes.Where(v => v.ContainsKey("configMap")).Select(v => (string)Map(v, "configMap")["name"]))
            .ToHashSet();
        var secrets = env.Where(v => v.ContainsKey("secretKeyRef")).Select(v => (string)Map(v, "secretKeyRef")["name"])
            .Concat(envFrom.Where(s => s.ContainsKey("secretRef")).Select(s => (string)Map(s, "secretRef")["name"]))
            .Concat(volumes.Where(v => v.ContainsKey("secret")).Select(v => (string)Map(v, "secret")["secretName"]))
            .ToHashSet();

        Assert.Contains("silo-config", configMaps);
        Assert.Subset(manifests.OfKind("ConfigMap").Select(Name).ToHashSet(), configMaps);
        // Nothing has to be created by hand before the first apply, in either overlay.
        Assert.Subset(manifests.OfKind("Secret").Select(Name).ToHashSet(), secrets);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void WorkerSilosScaleOnCpuUtilisation(string overlay)
    {
        var manifests = Render(overlay);
        var autoscaler = manifests.Single("HorizontalPodAutoscaler", "silo-cpu");
        var cpu = manifests.Single("Deployment", "silo-cpu");

        Assert.StartsWith("autoscaling/v2", (string)autoscaler["apiVersion"]);
        var target = Map(autoscaler, "spec", "scaleTargetRef");
        Assert.Equal("Deployment", target["kind"]);
        Assert.Equal("silo-cpu", target["name"]);
        var metric = Assert.IsType<Dictionary<object, object>>(Assert.Single(List(Map(autoscaler, "spec"), "metrics")));
        Assert.Equal("Resource", metric["type"]);
        Assert.Equal("cpu", Map(metric, "resource")["name"]);
        Assert.Equal("Utilization", Map(metric, "resource", "target")["type"]);
        var min = int.Parse((string)Map(autoscaler, "spec")["minReplicas"]);
        var max = int.Parse((string)Map(autoscaler, "spec")["maxReplicas"]);
        Assert.InRange(min, 1, max);

        // Utilisation is a share of the request: without one the autoscaler cannot compute it.
        var requests = Map(SiloContainer(cpu), "resources", "requests");
        Assert.False(string.IsNullOrEmpty((string)requests["cpu"]));
        // The autoscaler owns the replica count; a fixed one would be reset on every apply.
        Assert.False(Map(cpu, "spec").ContainsKey("replicas"), "silo-cpu sets replicas, which the autoscaler owns");
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
