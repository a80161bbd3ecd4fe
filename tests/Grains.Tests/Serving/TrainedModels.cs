using Distributed.Grains.Jobs;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Tests;

/// <summary>
/// Two tiny bundles trained once per test process with the real labelling job on synthetic images
/// (3 clusters, 180 images): <see cref="First"/> and <see cref="Second"/> differ in seed and version.
/// </summary>
internal sealed class TrainedModels
{
    private static readonly Lazy<TrainedModels> s_instance = new(() => new TrainedModels(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Cheap models: the serving tests check the API (swaps, bad input, time limits) with tens of
    /// thousands of predictions, and the self-labelling CNN would add about 0.3 ms of CPU to each
    /// image on a 2-core CI machine without testing anything more of the server. A bundle with the
    /// CNN is served in the cluster job and pipeline tests.
    /// </summary>
    public static readonly PipelineOptions Options = new()
    {
        Features = FeatureMethod.Pca, Reduce = ReductionMethod.None, Method = ClusteringMethod.KMeans, Clusters = 3, PcaComponents = 10, ForestTrees = 10,
        KMeansRestarts = 3, Refine = RefineMethod.None,
    };

    private TrainedModels()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("distributed-models-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.Directory.Delete(Directory, recursive: true);
        (Images, _) = SyntheticImages.Write(Directory);
        (Pixels, _) = SyntheticImages.Make(60, 3, 1);
        LabellingJob.Run(new LabellingJobRequest(Images, Path.Combine(Directory, "first"), Options));
        LabellingJob.Run(new LabellingJobRequest(Images, Path.Combine(Directory, "second"), Options with { Seed = 7 }));
    }

    public static TrainedModels Instance => s_instance.Value;

    public string Directory { get; }

    /// <summary>The training images as a .npy file (uint8, (180, 1, 28, 28)).</summary>
    public string Images { get; }

    /// <summary>The same images' raw pixels, 784 per image.</summary>
    public byte[] Pixels { get; }

    public int ImageCount => Pixels.Length / 784;

    public string First => Path.Combine(Directory, "first", JobOutputs.Model);

    public string Second => Path.Combine(Directory, "second", JobOutputs.Model);

    /// <summary>Image <paramref name="index"/> as 784 raw values (0..255).</summary>
    public float[] Image(int index) => [.. Pixels.AsSpan(index * 784, 784).ToArray().Select(p => (float)p)];
}
