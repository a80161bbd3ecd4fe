using Distributed.Grains.Cluster.Grains;
using Distributed.Ml.Gpu;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>
/// The one place a silo's feature backend is chosen, from <see cref="SiloOptions.FeatureBackend"/>
/// and the silo's roles: <c>cpu</c> always; <c>cuda</c> a CUDA GPU or no start; <c>auto</c> CUDA on a
/// <c>gpu</c> silo with a usable CUDA device, the CPU otherwise.
/// </summary>
public static class FeatureBackends
{
    /// <summary>The command-line and configuration spelling of each choice.</summary>
    public static string Name(FeatureBackendChoice choice) => choice.ToString().ToLowerInvariant();

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>auto</c> (any case); null or empty is <c>auto</c>.</summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static FeatureBackendChoice Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return FeatureBackendChoice.Auto;
        }
        foreach (var choice in Enum.GetValues<FeatureBackendChoice>())
        {
            if (string.Equals(Name(choice), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return choice;
            }
        }
        var names = Enum.GetValues<FeatureBackendChoice>().Select(Name).ToArray();
        throw new ArgumentException($"--feature-backend must be {string.Join(", ", names[..^1])} or {names[^1]}, got '{text}'");
    }

    /// <summary>Chooses the backend, looking for a CUDA device with ILGPU when the choice needs one.</summary>
    /// <exception cref="FeatureBackendUnavailableException"><c>cuda</c> without a usable CUDA device.</exception>
    public static FeatureBackendSelection Select(FeatureBackendChoice choice, IReadOnlyList<string> roles) =>
        Select(choice, roles, () => (GpuDevice.TryOpenCuda(out var why), why));

    /// <summary>
    /// As <see cref="Select(FeatureBackendChoice, IReadOnlyList{string})"/> with another way to find a
    /// device (the tests: none, or ILGPU's CPU accelerator standing in for a GPU): <paramref name="findCuda"/>
    /// returns the device, or null and why there is none.
    /// </summary>
    public static FeatureBackendSelection Select(FeatureBackendChoice choice, IReadOnlyList<string> roles, Func<(GpuDevice? Device, string Why)> findCuda)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(findCuda);
        switch (choice)
        {
            case FeatureBackendChoice.Cpu:
                return new FeatureBackendSelection(new CpuFeatureBackend(), "--feature-backend cpu");
            case FeatureBackendChoice.Cuda:
                var (device, why) = findCuda();
                return device is null
                    ? throw new FeatureBackendUnavailableException($"--feature-backend cuda: {why} (use cpu or auto on this machine)")
                    : new FeatureBackendSelection(new CudaFeatureBackend(device), $"--feature-backend cuda: {device.Name}");
            default:
                if (!roles.Contains(SiloRoles.Gpu))
                {
                    // No feature-extraction grain runs here: no device to hold.
                    return new FeatureBackendSelection(new CpuFeatureBackend(), "auto: no gpu role");
                }
                var (found, reason) = findCuda();
                return found is null
                    ? new FeatureBackendSelection(new CpuFeatureBackend(), $"auto: {reason}")
                    : new FeatureBackendSelection(new CudaFeatureBackend(found), $"auto: {found.Name}");
        }
    }
}
