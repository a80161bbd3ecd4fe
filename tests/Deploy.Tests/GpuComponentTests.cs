using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// GPUs are reserved only where GPU code runs. k8s/components/gpu, which the production overlay
/// includes, puts the gpu silos on GPU nodes with a whole GPU each and sets their backend to cuda,
/// so a pod without a usable GPU fails instead of holding one idle; the dev overlay asks for no GPU
/// (its gpu silos run auto: the CPU on ordinary nodes).
/// </summary>
public sealed class GpuComponentTests
{
    private const string Gpu = "nvidia.com/gpu";

    [Fact]
    public void DevReservesNoGpuOrGpuNodes()
    {
        var yaml = RenderText("dev");

        // Anywhere: resources, node selectors, tolerations, affinities.
        Assert.DoesNotContain("nvidia.com/", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void ProductionReservesAGpuOnGpuNodesForTheGpuSilosOnly()
    {
        var manifests = Render("production");
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
}
