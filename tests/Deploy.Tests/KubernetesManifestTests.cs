using System.Xml.Linq;
using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// Renders k8s/ the way an operator would (<c>kubectl kustomize</c>, offline) and checks what the
/// cluster relies on: one Deployment per silo role wired to the broker and the shared store, GPUs
/// requested the way the scheduler needs, probes on the silo's endpoints, and scraping.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string[] s_roles = ["gpu", "cpu", "coordinator", "predictor"];

    /// <summary>The settings Silo/Program.cs reads, as environment variables.</summary>
    private static readonly string[] s_siloSettings =
        ["Silo__Roles", "Silo__Broker", "Silo__Store", "Silo__Id", "Silo__Model", "Silo__HttpPort", "Silo__ShardTimeoutSeconds", "Silo__LeaseSeconds"];

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
    public void EachSiloRoleHasADeploymentWiredToTheBrokerAndTheStore(string overlay)
    {
        var manifests = Render(overlay);
        var silos = manifests.OfKind("Deployment")
            .Where(d => Map(d, "spec", "template", "metadata", "labels").TryGetValue("app.kubernetes.io/component", out var c) && (string)c == "silo")
            .ToList();

        var roles = silos.Select(d => EnvValues(SiloContainer(d))["Silo__Roles"]).Order().ToArray();
        Assert.Equal(s_roles.Order().ToArray(), roles);

        var store = manifests.Single("PersistentVolumeClaim", "labeller-store");
        Assert.Contains("ReadWriteMany", List(Map(store, "spec"), "accessModes"));
        foreach (var deployment in silos)
        {
            var container = SiloContainer(deployment);
            var env = EnvValues(container);
            Assert.StartsWith("amqp://", env["Silo__Broker"]);
            Assert.Equal("$(POD_NAME)", env["Silo__Id"]);
            // A misspelt setting is silently ignored by configuration binding (Silo__Name was, once).
            Assert.All(env.Keys.Where(k => k.StartsWith("Silo__", StringComparison.Ordinal)), key => Assert.Contains(key, s_siloSettings));
            Assert.Equal("/store", MountPath(container, "store"));
            Assert.Equal("labeller-store", Map(Volume(deployment, "store"), "persistentVolumeClaim")["claimName"]);
            Assert.Equal("/alive", Map(container, "livenessProbe", "httpGet")["path"]);
            Assert.Equal("/health", Map(container, "readinessProbe", "httpGet")["path"]);
            Assert.Equal("true", Map(deployment, "spec", "template", "metadata", "annotations")["prometheus.io/scrape"]);
            Assert.Equal("/metrics", Map(deployment, "spec", "template", "metadata", "annotations")["prometheus.io/path"]);
            // Room for SIGTERM to drain in-flight shard work before the kubelet kills the silo.
            Assert.True(int.Parse((string)Map(deployment, "spec", "template", "spec")["terminationGracePeriodSeconds"]) >= 60);
        }
        var config = manifests.Single("ConfigMap", "silo-config");
        Assert.Equal("/store", Map(config, "data")["Silo__Store"]);
    }

    [Fact]
    public void ProductionFeatureSilosRequestAWholeGpuOnGpuNodes()
    {
        var gpu = Render("production").Single("Deployment", "silo-gpu");
        var spec = Map(gpu, "spec", "template", "spec");

        Assert.Equal("1", Map(SiloContainer(gpu), "resources", "limits")["nvidia.com/gpu"]);
        Assert.NotEmpty(Map(spec, "nodeSelector"));
        Assert.Contains(List(spec, "tolerations").Cast<Dictionary<object, object>>(),
            t => (string)t["key"] == "nvidia.com/gpu" && (string)t["effect"] == "NoSchedule");
    }

    [Fact]
    public void DevOverlayRunsWithoutGpuNodes()
    {
        var gpu = Render("dev").Single("Deployment", "silo-gpu");
        var spec = Map(gpu, "spec", "template", "spec");

        Assert.False(spec.ContainsKey("nodeSelector"));
        Assert.False(spec.ContainsKey("tolerations"));
        Assert.False(Map(SiloContainer(gpu), "resources", "limits").ContainsKey("nvidia.com/gpu"));
    }

    [Fact]
    public void DevOverlayProvidesEverySecretThePodsReference()
    {
        var manifests = Render("dev");
        var secrets = manifests.OfKind("Secret").Select(Name).ToHashSet();

        var referenced = manifests.OfKind("Deployment").Concat(manifests.OfKind("StatefulSet"))
            .SelectMany(d => List(Map(d, "spec", "template", "spec"), "containers").Cast<Dictionary<object, object>>())
            .SelectMany(c => List(c, "env").Cast<Dictionary<object, object>>())
            .Where(e => e.ContainsKey("valueFrom") && Map(e, "valueFrom").ContainsKey("secretKeyRef"))
            .Select(e => (string)Map(e, "valueFrom", "secretKeyRef")["name"])
            .ToHashSet();
        var keda = manifests.OfKind("TriggerAuthentication")
            .SelectMany(t => List(Map(t, "spec"), "secretTargetRef").Cast<Dictionary<object, object>>())
            .Select(r => (string)r["name"]);

        Assert.NotEmpty(referenced);
        Assert.Subset(secrets, referenced.Concat(keda).ToHashSet());
    }

    [Fact]
    public void WorkerSilosScaleOnTheirQueueLength()
    {
        var scaled = Render("production").Single("ScaledObject", "silo-cpu");

        Assert.Equal("silo-cpu", Map(scaled, "spec", "scaleTargetRef")["name"]);
        var trigger = Assert.IsType<Dictionary<object, object>>(Assert.Single(List(Map(scaled, "spec"), "triggers")));
        Assert.Equal("rabbitmq", trigger["type"]);
        Assert.Equal("QueueLength", Map(trigger, "metadata")["mode"]);
        Assert.False(string.IsNullOrEmpty((string)Map(trigger, "metadata")["queueName"]));
    }

    [Fact]
    public void PrometheusScrapesEveryAnnotatedPodOnAPortItExposes()
    {
        var manifests = Render("production");
        // Debian's promtool is built without Kubernetes discovery, so the scrape job is checked here.
        var config = (string)Map(manifests.Single("ConfigMap", "prometheus-config"), "data")["prometheus.yml"];
        Assert.Contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape", config);
        Assert.Contains("__meta_kubernetes_pod_annotation_prometheus_io_port", config);

        var scraped = manifests.OfKind("Deployment").Concat(manifests.OfKind("StatefulSet"))
            .Where(d => Map(d, "spec", "template", "metadata").ContainsKey("annotations"))
            .ToList();
        Assert.Equal(5, scraped.Count); // four silo roles and RabbitMQ
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

    private static string MountPath(Dictionary<object, object> container, string volume) =>
        (string)List(container, "volumeMounts").Cast<Dictionary<object, object>>().Single(m => (string)m["name"] == volume)["mountPath"];

    private static Dictionary<object, object> Volume(Dictionary<object, object> deployment, string name) =>
        List(Map(deployment, "spec", "template", "spec"), "volumes").Cast<Dictionary<object, object>>().Single(v => (string)v["name"] == name);
}
