using System.Text.RegularExpressions;
using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// The security context, resources and images of every pod and container: non-root with the
/// image's own numeric user, no capabilities or privilege escalation, the runtime's default seccomp
/// profile, a read-only root filesystem, requests and limits, and images that cannot change under a
/// tag. The namespace enforces the restricted Pod Security profile on top.
/// </summary>
public sealed partial class HardeningTests
{
    /// <summary>The non-root user each image is built to run as (its Dockerfile's USER).</summary>
    private static readonly Dictionary<string, long> s_imageUsers = new()
    {
        ["silo"] = 1654,      // the .NET image's `app` user (Silo/Dockerfile)
        ["redis"] = 999,      // the official redis image's `redis` user
        ["exporter"] = 59000, // oliver006/redis_exporter's USER 59000:59000
        ["prometheus"] = 65534, // prom/prometheus's `nobody`
        ["grafana"] = 472,    // grafana/grafana's `grafana` user
    };

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void NamespaceEnforcesTheRestrictedPodSecurityProfile(string overlay)
    {
        var labels = Map(Render(overlay).Single("Namespace", "labeller"), "metadata", "labels");

        Assert.Equal("restricted", labels["pod-security.kubernetes.io/enforce"]);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EveryPodRunsAsANumericNonRootUserWithTheDefaultSeccompProfile(string overlay)
    {
        foreach (var workload in Render(overlay).Workloads())
        {
            var context = Map(PodSpec(workload), "securityContext");
            Assert.True(context.GetValueOrDefault("runAsNonRoot") as string == "true", $"{Describe(workload)}: pod runAsNonRoot is not true");
            foreach (var field in new[] { "runAsUser", "runAsGroup", "fsGroup" })
            {
                Assert.True(long.TryParse(context.GetValueOrDefault(field) as string, out var id) && id > 0, $"{Describe(workload)}: pod {field} is not a non-root number");
            }
            Assert.True(Map(context, "seccompProfile")["type"] as string == "RuntimeDefault", $"{Describe(workload)}: pod seccompProfile is not RuntimeDefault");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EveryContainerRunsAsItsImagesUser(string overlay)
    {
        foreach (var workload in Render(overlay).Workloads())
        {
            foreach (var container in Containers(workload))
            {
                var own = container.GetValueOrDefault("securityContext") as Dictionary<object, object> ?? [];
                var pod = Map(PodSpec(workload), "securityContext");
                var user = long.Parse((string)(own.GetValueOrDefault("runAsUser") ?? pod["runAsUser"]));
                Assert.True(s_imageUsers.TryGetValue((string)container["name"], out var expected), $"{Describe(workload, container)}: no known image user");
                Assert.True(user == expected, $"{Describe(workload, container)}: runs as {user}, its image's user is {expected}");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EveryContainerDropsAllCapabilitiesAndCannotEscalate(string overlay)
    {
        foreach (var workload in Render(overlay).Workloads())
        {
            foreach (var container in Containers(workload))
            {
                var context = Map(container, "securityContext");
                Assert.True(context.GetValueOrDefault("runAsNonRoot") as string == "true", $"{Describe(workload, container)}: runAsNonRoot is not true");
                Assert.True(context.GetValueOrDefault("allowPrivilegeEscalation") as string == "false", $"{Describe(workload, container)}: allowPrivilegeEscalation is not false");
                Assert.True(List(Map(context, "capabilities"), "drop").Contains("ALL"), $"{Describe(workload, container)}: does not drop ALL capabilities");
                Assert.True(List(Map(context, "capabilities"), "add").Count == 0, $"{Describe(workload, container)}: adds capabilities");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EveryContainerHasAReadOnlyRootFilesystem(string overlay)
    {
        foreach (var workload in Render(overlay).Workloads())
        {
            foreach (var container in Containers(workload))
            {
                var context = Map(container, "securityContext");
                Assert.True(context.GetValueOrDefault("readOnlyRootFilesystem") as string == "true", $"{Describe(workload, container)}: root filesystem is writable");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void SilosWriteTemporaryFilesToAnEmptyDir(string overlay)
    {
        foreach (var silo in Render(overlay).Silos())
        {
            var mount = List(SiloContainer(silo), "volumeMounts").Cast<Dictionary<object, object>>().SingleOrDefault(m => (string)m["mountPath"] == "/tmp");
            Assert.True(mount is not null, $"{Describe(silo)}: nothing is mounted at /tmp");
            Assert.True(Volume(silo, (string)mount["name"]).ContainsKey("emptyDir"), $"{Describe(silo)}: /tmp is not an emptyDir");
        }
    }

    [Fact]
    public void SiloImageRunsAsTheUserThePodsRunAs()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(RepositoryRoot, "Silo", "Dockerfile"));
        var silo = Render("production").Single("Deployment", "silo-coordinator");
        var context = Map(PodSpec(silo), "securityContext");

        var user = Assert.Single(dockerfile, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.Equal($"USER {context["runAsUser"]}:{context["runAsGroup"]}", user.Trim());
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EveryContainerHasCpuAndMemoryRequestsAndLimits(string overlay)
    {
        foreach (var workload in Render(overlay).Workloads())
        {
            foreach (var container in Containers(workload))
            {
                foreach (var kind in new[] { "requests", "limits" })
                {
                    var values = container.TryGetValue("resources", out var r) && ((Dictionary<object, object>)r).TryGetValue(kind, out var v)
                        ? (Dictionary<object, object>)v : [];
                    Assert.True(values.ContainsKey("cpu"), $"{Describe(workload, container)}: no cpu {kind}");
                    Assert.True(values.ContainsKey("memory"), $"{Describe(workload, container)}: no memory {kind}");
                }
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void OnlyPodsThatCallTheApiServerGetAToken(string overlay)
    {
        foreach (var workload in Render(overlay).Workloads())
        {
            var spec = PodSpec(workload);
            // The silos (Orleans' Kubernetes agent) and Prometheus (pod discovery) run with their own accounts.
            var callsApi = spec.ContainsKey("serviceAccountName");
            Assert.True(callsApi || spec.GetValueOrDefault("automountServiceAccountToken") as string == "false",
                $"{Describe(workload)}: mounts the default account's token without calling the API server");
        }
    }

    [Fact]
    public void ProductionPinsEveryImageByDigest()
    {
        foreach (var workload in Render("production").Workloads())
        {
            foreach (var container in Containers(workload))
            {
                var image = (string)container["image"];
                Assert.True(DigestPinned().IsMatch(image), $"{Describe(workload, container)}: image {image} is not pinned by a sha256 digest");
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void NoImageFloatsOnLatestOrNoTag(string overlay)
    {
        foreach (var workload in Render(overlay).Workloads())
        {
            foreach (var container in Containers(workload))
            {
                var image = (string)container["image"];
                var name = image.Split('@')[0];
                // A tag follows the last ':' after the last '/' (a registry host may carry a port).
                var tag = name[(name.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
                Assert.True(tag is not null && tag != "latest", $"{Describe(workload, container)}: image {image} has no fixed tag");
            }
        }
    }

    [GeneratedRegex("^[^@]+:[^@/:]+@sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPinned();
}
