using Distributed.Ml.Gpu;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>The Silo host refuses bad settings with one line naming the setting, and exit code 1.</summary>
public class SiloCommandLineTests
{
    [Fact]
    public void BadSettingsAreOneLineErrors()
    {
        using var temp = new TempDirectory();
        var store = temp.File("store");
        Directory.CreateDirectory(store);
        foreach (var (arguments, expected) in new (string[], string)[]
        {
            (["--roles", "gpu,bogus", "--store", store], "error: unknown silo role(s) 'bogus'; roles are gpu,cpu,coordinator,predictor"),
            (["--roles", "gpu", "--redis", "127.0.0.1:6379"], "error: --roles and --redis need --store <dir> (Silo__Store): the shared store of the cluster"),
            (["--store", store, "--silo-port", "http"], "error: --silo-port must be a port number (0 for a free one), got 'http'"),
            (["--store", store, "--advertise", "silo.example"], "error: --advertise must be an IP address, got 'silo.example'"),
            (["--store", store, "--http-host", "anywhere"], "error: --http-host must be an IP address (127.0.0.1, or 0.0.0.0 for every interface), got 'anywhere'"),
            (["--store", store, "--http-port", "web"], "error: --http-port must be a port number (0 for a free one), got 'web'"),
            // The one model-loading rule: a model named at start loads, or the process ends.
            (["--model", temp.File("missing"), "--http-port", "0"], $"error: --model: {temp.File("missing")}: model directory not found"),
            (["--require-key-for-predict", "true", "--http-port", "0"], "error: --require-key-for-predict needs an API key: give --api-key-file"),
            (["--require-key-for-predict", "yes", "--http-port", "0"], "error: --require-key-for-predict (Silo__RequireKeyForPredict) must be true or false, got 'yes'"),
            (["--store", store, "--feature-backend", "gpu"], "error: --feature-backend must be auto, cpu or cuda, got 'gpu'"),
            // Nothing listens on port 1 of the loopback.
            (["--store", store, "--redis", "127.0.0.1:1", "--http-port", "0"], "error: --redis 127.0.0.1:1: Redis does not answer there"),
        })
        {
            var (code, _, stderr) = SiloProcess.RunSilo(arguments);
            Assert.Equal(1, code);
            Assert.Equal(expected, stderr.Trim());
        }
        using (var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, 0))
        {
            taken.Start();
            var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            var (code, _, stderr) = SiloProcess.RunSilo("--store", store, "--http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(1, code);
            Assert.Equal($"error: --http-port {port}: the port is in use; give each silo on a machine its own, or 0 for a free one", stderr.Trim());
        }
        // /proc takes no new files or directories, whoever asks.
        var (storeCode, _, storeError) = SiloProcess.RunSilo("--store", "/proc/distributed-store", "--http-port", "0");
        Assert.Equal(1, storeCode);
        Assert.StartsWith("error: --store /proc/distributed-store: cannot write there: ", Assert.Single(storeError.Trim().Split('\n')), StringComparison.Ordinal);
        var (kubernetesCode, _, kubernetesError) = SiloProcess.RunSilo(new Dictionary<string, string> { ["Silo__Kubernetes"] = "yes" }, "--store", store);
        Assert.Equal(1, kubernetesCode);
        Assert.Equal("error: Silo__Kubernetes must be true or false, got 'yes'", kubernetesError.Trim());
        // Forced cuda without a CUDA device: the machines CI runs on have none; on one that has, the silo starts.
        using (var device = GpuDevice.TryOpenCuda(out var why))
        {
            if (device is null)
            {
                var (cudaCode, _, cudaError) = SiloProcess.RunSilo(new Dictionary<string, string> { ["Silo__FeatureBackend"] = "cuda" }, "--store", store, "--http-port", "0");
                Assert.Equal(1, cudaCode);
                Assert.Equal($"error: --feature-backend cuda: {why} (use cpu or auto on this machine)", cudaError.Trim());
            }
        }
        var emptyKey = temp.File("empty-key");
        File.WriteAllText(emptyKey, "\n");
        var shortKey = temp.File("short-key");
        File.WriteAllText(shortKey, "guessable\n");
        foreach (var (keyFile, expected) in new[]
        {
            (temp.File("missing-key"), $"error: --api-key-file: cannot read the API key file {temp.File("missing-key")}: Could not find file '{temp.File("missing-key")}'."),
            (emptyKey, $"error: --api-key-file: the API key file {emptyKey} is empty"),
            (shortKey, $"error: --api-key-file: {shortKey}: the key must be at least 16 characters, got 9"),
        })
        {
            var (code, _, stderr) = SiloProcess.RunSilo("--store", store, "--api-key-file", keyFile);
            Assert.Equal(1, code);
            Assert.Equal(expected, stderr.Trim());
        }
    }

    [Fact]
    public async Task AGpuSiloSaysWhichFeatureBackendItChose()
    {
        using var temp = new TempDirectory();
        var store = temp.File("store");
        Directory.CreateDirectory(store);
        string expected;
        using (var device = GpuDevice.TryOpenCuda(out var why))
        {
            expected = device is null ? $", feature backend cpu (auto: {why})" : $", feature backend cuda (auto: {device.Name})";
        }
        using (var gpu = new SiloProcess("gpu,cpu", null, store, "gpu-silo"))
        {
            await gpu.StartedAsync();
            Assert.EndsWith(expected, StartLine(gpu), StringComparison.Ordinal);
        }
        using var cpu = new SiloProcess("gpu", null, store, "cpu-silo", new Dictionary<string, string> { ["Silo__FeatureBackend"] = "cpu" });
        await cpu.StartedAsync();
        Assert.EndsWith(", feature backend cpu (--feature-backend cpu)", StartLine(cpu), StringComparison.Ordinal);
    }

    private static string StartLine(SiloProcess silo) => silo.Log.Split('\n').Single(l => l.StartsWith("silo ", StringComparison.Ordinal)).TrimEnd();
}
