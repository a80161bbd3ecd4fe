using Distributed.Ml.Data;

namespace Distributed.Client.Tests;

/// <summary>The command-line contract: exit codes, one-line errors, nothing half-written.</summary>
public class CliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cli-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void RunPredictAndEvaluateWorkTogether()
    {
        var images = WriteImages("images.npy", 90);
        var labels = Path.Combine(_directory, "labels.npy");
        using (var file = File.Create(labels))
        {
            NpyWriter.Write(file, Enumerable.Range(0, 90).Select(i => (byte)(i % 3)).ToArray(), 90);
        }
        var output = Path.Combine(_directory, "out");
        var (code, stdout, stderr) = Cli("run", images, "--out", output, "--clusters", "3", "--features", "pca", "--reduce", "none", "--method", "kmeans", "--pca-components", "8", "--trees", "10", "--labels", labels, "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Contains("accuracy", stdout);
        Assert.Empty(stderr);

        (code, _, stderr) = Cli("predict", Path.Combine(output, "model"), images, "--out", Path.Combine(_directory, "pred.npy"));
        Assert.True(code == 0, stderr);
        (code, stdout, stderr) = Cli("evaluate", Path.Combine(output, "assignments.npy"), "--labels", labels);
        Assert.True(code == 0, stderr);
        Assert.Contains("accuracy 1.0000", stdout);
        Assert.True(File.Exists(Path.Combine(output, "evaluation.json")));
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "bad-magic.npy", "bad magic" },
        { "fortran.npy", "Fortran" },
        { "dtype.npy", "unsupported dtype" },
        { "truncated.npy", "truncated" },
        { "extra.npy", "disagrees with the file size" },
        { "nan.npy", "NaN" },
        { "range.npy", "outside the valid range" },
        { "size.npy", "wrong image size" },
        { "zero.npy", "zero images" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputGivesOneLineErrorExitOneAndNoOutput(string name, string problem)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, BadFile(name));
        var output = Path.Combine(_directory, "out");
        var (code, stdout, stderr) = Cli("run", path, "--out", output, "--quiet");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {path}: ", line);
        Assert.Contains(problem, line);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [Fact]
    public void KnownLabelsRunReportsLabelSpreadingAccuracy()
    {
        var images = WriteImages("images.npy", 90);
        var labels = Path.Combine(_directory, "labels.npy");
        using (var file = File.Create(labels))
        {
            NpyWriter.Write(file, Enumerable.Range(0, 90).Select(i => (byte)(i % 3)).ToArray(), 90);
        }
        var (code, stdout, stderr) = Cli("run", images, "--out", Path.Combine(_directory, "out"), "--clusters", "3", "--features", "pca", "--reduce", "none", "--method", "kmeans",
            "--pca-components", "8", "--trees", "10", "--known-labels", labels, "--known-fraction", "0.2", "--rebalance", "none", "--classifier-input", "pixels", "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Contains("label_spreading_accuracy", stdout);
        Assert.Equal(1, Cli("run", images, "--out", Path.Combine(_directory, "out2"), "--known-labels", labels, "--known-fraction", "0", "--quiet").Code);
    }

    [Fact]
    public void StoreGcRefusesABadAgeOrAMissingStoreInOneLine()
    {
        var (code, _, stderr) = Cli("store", "gc", "--store", _directory, "--older-than", "soon");
        Assert.Equal(1, code);
        Assert.Equal("error: --older-than must be a number and a unit (s, m, h or d), e.g. 12h; got 'soon'", stderr.Trim());
        var missing = Path.Combine(_directory, "no-store");
        (code, _, stderr) = Cli("store", "gc", "--store", missing, "--older-than", "1d");
        Assert.Equal(1, code);
        Assert.Equal($"error: --store {missing}: no such directory", stderr.Trim());
        Assert.False(Directory.Exists(missing));
        (code, var stdout, _) = Cli("store", "gc", "--store", _directory, "--older-than", "1d");
        Assert.Equal(0, code);
        Assert.Equal("removed 0 job(s) and 0 temporary file(s), 0.0 MB", stdout.Trim());
    }

    [Fact]
    public void KeepVersionsBelowOneIsRefusedBeforeAnyWork()
    {
        var output = Path.Combine(_directory, "out");
        var (code, _, stderr) = Cli("run", WriteImages("images.npy", 30), "--out", output, "--keep-versions", "0", "--quiet");
        Assert.Equal(1, code);
        Assert.Equal("error: --keep-versions must be at least 1, got 0", stderr.Trim());
        Assert.False(Directory.Exists(output));
        (code, _, stderr) = Cli("name", output, "--names", "0=zero", "--keep-versions", "-1");
        Assert.Equal(1, code);
        Assert.Equal("error: --keep-versions must be at least 1, got -1", stderr.Trim());
        (code, _, stderr) = Cli("name", output, "--names", "0=zero");
        Assert.Equal(1, code);
        Assert.Equal($"error: {output}: no model: the directory holds no run's outputs", stderr.Trim());
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void DbscanThatFindsNoClusterIsAClearUserError()
    {
        var output = Path.Combine(_directory, "out");
        var (code, stdout, stderr) = Cli("run", WriteImages("images.npy", 30), "--out", output, "--features", "pca", "--reduce", "none", "--pca-components", "8",
            "--method", "dbscan", "--eps", "0.000001", "--min-samples", "3", "--quiet");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("found 0 cluster(s)", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void AutoMethodWithLinkageRunsAndNamesItsChoice()
    {
        var output = Path.Combine(_directory, "out");
        var (code, stdout, stderr) = Cli("run", WriteImages("images.npy", 90), "--out", output, "--clusters", "3", "--features", "pca", "--reduce", "none",
            "--pca-components", "8", "--trees", "10", "--method", "auto", "--linkage", "complete", "--min-samples", "4", "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Matches("selected_method +(kmeans|gmm|dbscan|agglomerative)", stdout);
        var metrics = File.ReadAllText(Path.Combine(output, "metrics.json"));
        Assert.Contains("\"candidates\"", metrics);
        Assert.Equal(2, Cli("run", "x.npy", "--out", "o", "--linkage", "single").Code);
    }

    [Fact]
    public void ClusterOptionsAreCheckedBeforeAnyConnection()
    {
        var images = WriteImages("images.npy", 30);
        var noStore = Cli("run", images, "--out", Path.Combine(_directory, "out"), "--cluster", "127.0.0.1:1");
        Assert.Equal(1, noStore.Code);
        Assert.Contains("--cluster needs --store", noStore.Stderr);
        var noAddress = Cli("run", images, "--out", Path.Combine(_directory, "out"), "--cluster", ",", "--store", _directory);
        Assert.Equal(1, noAddress.Code);
        Assert.Equal("error: Redis address ',' names no host:port", noAddress.Stderr.Trim());
        Assert.Equal(1, Cli("status", "--cluster", ",").Code);
        // Nothing listens on port 1 of the loopback: one line, no stack trace.
        var unreachable = Cli("status", "--cluster", "127.0.0.1:1");
        Assert.Equal(1, unreachable.Code);
        Assert.Equal("error: --cluster 127.0.0.1:1: Redis does not answer there", unreachable.Stderr.Trim());
        var file = Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(file, "x");
        var storeIsAFile = Cli("run", images, "--out", Path.Combine(_directory, "out"), "--store", file);
        Assert.Equal(1, storeIsAFile.Code);
        Assert.Equal($"error: --store {file} is a file; the store is a directory", storeIsAFile.Stderr.Trim());
        Assert.False(Directory.Exists(Path.Combine(_directory, "out")));
    }

    [Fact]
    public void RunGoesThroughTheEmbeddedClusterUnlessAskedToRunInProcess()
    {
        var images = WriteImages("images.npy", 30);
        var options = new[] { "--features", "pca", "--pca-components", "5", "--reduce", "none", "--method", "kmeans", "--clusters", "2", "--trees", "5", "--quiet" };
        foreach (var (name, path) in new[] { ("embedded", new[] { "--shard-size", "10" }), ("in-process", new[] { "--in-process" }) })
        {
            var output = Path.Combine(_directory, name);
            var (code, stdout, stderr) = Cli(["run", images, "--out", output, .. options, .. path]);
            Assert.True(code == 0, stderr);
            Assert.Contains("wrote", stdout);
            Assert.True(File.Exists(Path.Combine(output, "assignments.npy")));
            Assert.True(File.Exists(Path.Combine(output, "model", "manifest.json")));
            var metrics = File.ReadAllText(Path.Combine(output, "metrics.json"));
            // Only the bus path has shards and grain requests to report.
            Assert.Equal(name == "embedded", metrics.Contains("\"cluster_shards\": 3", StringComparison.Ordinal));
        }
        var both = Cli("run", images, "--out", Path.Combine(_directory, "x"), "--in-process", "--store", _directory);
        Assert.Equal(1, both.Code);
        Assert.Contains("--in-process runs without grains or store", both.Stderr);
    }

    [Fact]
    public void FeatureBackendIsTheEmbeddedSilosChoiceAndAMissingCudaDeviceIsAOneLineError()
    {
        var images = WriteImages("images.npy", 30);
        var options = new[] { "--features", "pca", "--pca-components", "5", "--reduce", "none", "--method", "kmeans", "--clusters", "2", "--trees", "5", "--quiet" };
        var output = Path.Combine(_directory, "cpu");
        var (code, stdout, stderr) = Cli(["run", images, "--out", output, .. options, "--feature-backend", "cpu"]);
        Assert.True(code == 0, stderr);
        Assert.Matches("feature_backend +cpu", stdout);
        Assert.Contains("\"feature_backend\": \"cpu\"", File.ReadAllText(Path.Combine(output, "metrics.json")), StringComparison.Ordinal);

        var inProcess = Cli(["run", images, "--out", Path.Combine(_directory, "x"), .. options, "--feature-backend", "cpu", "--in-process"]);
        Assert.Equal((1, "error: --feature-backend is the embedded silo's; --in-process fits on the CPU, as the reference path"), (inProcess.Code, inProcess.Stderr.Trim()));
        var cluster = Cli(["run", images, "--out", Path.Combine(_directory, "x"), .. options, "--feature-backend", "cuda", "--cluster", "127.0.0.1:1", "--store", _directory]);
        Assert.Equal(1, cluster.Code);
        Assert.StartsWith("error: --feature-backend is the embedded silo's; a cluster's silos choose theirs", cluster.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Cli("run", images, "--out", Path.Combine(_directory, "x"), "--feature-backend", "gpu").Code);

        // Forced cuda without a CUDA device (CI machines have none; on one that has, the run is the device's).
        using var device = Ml.Gpu.GpuDevice.TryOpenCuda(out var why);
        if (device is null)
        {
            var cuda = Cli(["run", images, "--out", Path.Combine(_directory, "cuda"), .. options, "--feature-backend", "cuda"]);
            Assert.Equal(1, cuda.Code);
            Assert.Equal($"error: --feature-backend cuda: {why} (use cpu or auto on this machine)", Assert.Single(cuda.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            Assert.False(Directory.Exists(Path.Combine(_directory, "cuda")));
        }
    }

    [Fact]
    public void OptionErrorsNameTheFlagsTheUserTyped()
    {
        var images = WriteImages("images.npy", 30);
        var output = Path.Combine(_directory, "out");
        var (code, stdout, stderr) = Cli("run", images, "--out", output, "--refine", "none", "--classifier-input", "cnn", "--quiet");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Equal("error: --classifier-input cnn needs --refine cnn", stderr.Trim());
        Assert.False(Directory.Exists(output));
        (code, _, stderr) = Cli("run", images, "--out", output, "--clusters", "1", "--in-process", "--quiet");
        Assert.Equal(1, code);
        Assert.Equal("error: --clusters must be at least 2, got 1", stderr.Trim());
        Assert.False(Directory.Exists(output));
        (code, _, stderr) = Cli("run", images, "--out", output, "--refine-rounds", "4", "--in-process", "--quiet");
        Assert.Equal(1, code);
        Assert.Equal("error: --refine-rounds must be 1 to 3, got 4", stderr.Trim());
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void UnknownChoiceAndMissingArgumentsAreUsageErrors()
    {
        Assert.Equal(2, Cli("run", "x.npy", "--out", "o", "--method", "magic").Code);
        Assert.Equal(2, Cli("run", "x.npy", "--out", "o", "--rebalance", "magic").Code);
        Assert.Equal(2, Cli("run", "x.npy", "--out", "o", "--classifier-input", "magic").Code);
        Assert.Equal(2, Cli("run", "x.npy", "--out", "o", "--refine", "magic").Code);
        Assert.Equal(2, Cli("run", "x.npy").Code);
        Assert.Equal(2, Cli("frobnicate").Code);
    }

    [Fact]
    public void CorruptedBundleIsRefused()
    {
        var model = Path.Combine(_directory, "model");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "manifest.json"), "{\"format\": \"other\"}");
        var (code, _, stderr) = Cli("predict", model, WriteImages("images.npy", 3), "--out", Path.Combine(_directory, "p.npy"));
        Assert.Equal(1, code);
        Assert.Contains("not a model bundle of this product", stderr);
        Assert.False(File.Exists(Path.Combine(_directory, "p.npy")));
    }

    private string WriteImages(string name, int count)
    {
        var path = Path.Combine(_directory, name);
        var pixels = new byte[count * 784];
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < 784; p++)
            {
                pixels[i * 784 + p] = (byte)((p / 28 / 9 == i % 3 ? 200 : 10) + (i * 7 + p * 13) % 30);
            }
        }
        using var file = File.Create(path);
        NpyWriter.Write(file, pixels, count, 784);
        return path;
    }

    private static byte[] BadFile(string name)
    {
        static byte[] Npy(string descr, string shape, int dataBytes, string fortran = "False", byte fill = 0)
        {
            var header = $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}\n";
            byte[] preamble = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0];
            return [.. preamble, .. System.Text.Encoding.ASCII.GetBytes(header), .. Enumerable.Repeat(fill, dataBytes)];
        }
        var nan = Npy("<f4", "(1, 784)", 0).Concat(Enumerable.Range(0, 784).SelectMany(_ => BitConverter.GetBytes(float.NaN))).ToArray();
        return name switch
        {
            "bad-magic.npy" => "PK\x03\x04 not numpy at all"u8.ToArray(),
            "fortran.npy" => Npy("|u1", "(2, 784)", 2 * 784, fortran: "True"),
            "dtype.npy" => Npy("<c8", "(2, 784)", 2 * 784 * 8),
            "truncated.npy" => Npy("|u1", "(2, 784)", 784),
            "extra.npy" => Npy("|u1", "(2, 784)", 3 * 784),
            "nan.npy" => nan,
            "range.npy" => Npy("<f4", "(1, 784)", 784 * 4, fill: 0x7F),
            "size.npy" => Npy("|u1", "(2, 32, 32)", 2 * 32 * 32),
            "zero.npy" => Npy("|u1", "(0, 784)", 0),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args) => CliRunner.Run(args);
}
