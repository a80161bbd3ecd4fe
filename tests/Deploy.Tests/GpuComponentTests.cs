using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// GPUs are reserved only where GPU code runs. The cuda feature backend has not yet run on GPU
/// hardware, so neither overlay asks for one (the gpu silos run auto: the CPU on ordinary nodes);
/// k8s/components/gpu, included by no overlay, puts the gpu silos on GPU nodes with a whole GPU each
/// and sets their backend to cuda, so a pod without a usable GPU fails instead of holding one idle.
/// </summary>
public sealed class GpuComponentTests
{
    private const string Gpu = "nvidia.com/gpu";

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void NoOverlayReservesAGpuOrGpuNodes(string overlay)
    {
        var yaml = RenderText(overlay);

        // Anywhere: resources, node selectors, tolerations, affinities.
        Assert.DoesNotContain("nvidia.com/", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void GpuComponentReservesAGpuOnGpuNodesForTheGpuSilosOnly()
    {
        var manifests = RenderProductionWithGpuComponent();
        var gpu = manifests.Single("Deployment", "silo-gpu");
        var spec = PodSpec(gpu);

        Assert.Equal("1", Map(SiloContainer(gpu), "resources", "limits")[Gpu]);
        Assert.Equal("true", Map(spec, "nodeSelector")["nvidia.com/gpu.present"]);
        Assert.Contains(List(spec, "tolerations").Cast<Dictionary<object, object>>(),
            t => (string)t["key"] == Gpu && (string)t["effect"] == "NoSchedule");
        // The component's patch merges into the silo's resources instead of replacing them.
        Assert.True(Map(SiloContainer(gpu), "resources", "limits").ContainsKey("memory"), "silo-gpu lost its memory limit");
        // The GPU is used: the cuda backend, forced, and the driver capability that mounts libcuda.so;
        // the env patch merges with the silo's own settings instead of replacing them.
        var env = manifests.Environment(SiloContainer(gpu));
        Assert.Equal("cuda", env["Silo__FeatureBackend"]);
        Assert.Contains("compute", env["NVIDIA_DRIVER_CAPABILITIES"].Split(','));
        Assert.Equal("gpu", env["Silo__Roles"]);
        foreach (var workload in manifests.Workloads().Where(w => Name(w) != "silo-gpu"))
        {
            foreach (var container in Containers(workload))
            {
                var resources = container.GetValueOrDefault("resources") as Dictionary<object, object> ?? [];
                Assert.False(resources.Values.Cast<Dictionary<object, object>>().Any(r => r.ContainsKey(Gpu)), $"{Describe(workload, container)} reserves a GPU");
            }
            Assert.False(PodSpec(workload).ContainsKey("nodeSelector"), $"{Describe(workload)} is bound to GPU nodes");
            Assert.All(Containers(workload), c => Assert.False(manifests.EnvironmentNames(c).Contains("Silo__FeatureBackend"), $"{Describe(workload, c)} sets a feature backend"));
        }
    }

    /// <summary>
    /// Renders the production overlay with the component, from a kustomization in a temporary
    /// directory: the way an operator would turn it on, without changing the overlays in the tree.
    /// </summary>
    private static Manifests RenderProductionWithGpuComponent()
    {
        var directory = Directory.CreateTempSubdirectory("labeller-gpu-");
        try
        {
            // kustomize refuses absolute paths to resources and components.
            var production = Path.GetRelativePath(directory.FullName, Path.Combine(RepositoryRoot, "k8s", "overlays", "production"));
            var component = Path.GetRelativePath(directory.FullName, Path.Combine(RepositoryRoot, "k8s", "components", "gpu"));
            File.WriteAllText(Path.Combine(directory.FullName, "kustomization.yaml"), $"""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - {production}
                components:
                  - {component}
                """);
            return RenderDirectory(directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
