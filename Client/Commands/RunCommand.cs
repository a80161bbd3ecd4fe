using System.CommandLine;
using System.Globalization;
using Distributed.Client.Cluster;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Jobs;
using Distributed.Grains.Reporting;
using Distributed.Grains.Storage;
using Distributed.Ml.Clustering;
using Distributed.Ml.Features;
using Distributed.Ml.Pipeline;
using Distributed.Ml.Refinement;

namespace Distributed.Client.Commands;

/// <summary>
/// <c>run &lt;images&gt; --out &lt;dir&gt;</c>: runs the job on an embedded Orleans silo hosted in this
/// process; with <c>--cluster &lt;redis host:port&gt; --store &lt;dir&gt;</c> on a running cluster; with
/// <c>--in-process</c> on the ML library directly, without grains or store (the reference path).
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output)
    {
        var images = new Argument<string>("images") { Description = "Images: .npy (N,1,28,28)/(N,28,28)/(N,784), MNIST IDX (.gz too) or CSV" };
        var outDir = new Option<string>("--out") { Description = "Output directory: each run publishes model/, assignments.npy, metrics.json and report.html as one new version (versions/<model-version>/, current points to it)", Required = true };
        var clusters = new Option<int>("--clusters") { Description = "Number of clusters", DefaultValueFactory = _ => new PipelineOptions().Clusters };
        var features = Choice("--features", "Feature extractor", ChoiceNames.Of(new PipelineOptions().Features), Enum.GetValues<FeatureMethod>().Select(ChoiceNames.Of));
        var reduce = Choice("--reduce", "Reduction before clustering", ChoiceNames.Of(new PipelineOptions().Reduce), Enum.GetValues<ReductionMethod>().Select(ChoiceNames.Of));
        var method = Choice("--method", "Clustering method", ChoiceNames.Of(new PipelineOptions().Method), Enum.GetValues<ClusteringMethod>().Select(ChoiceNames.Of));
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => new PipelineOptions().Seed };
        var labels = new Option<string?>("--labels") { Description = "True labels, used only to evaluate (never to fit)" };
        var pcaComponents = new Option<int>("--pca-components") { Description = "PCA components for --features pca", DefaultValueFactory = _ => new PipelineOptions().PcaComponents };
        var reduceDims = new Option<int>("--reduce-dims") { Description = "Output dimension of --reduce", DefaultValueFactory = _ => new PipelineOptions().ReducedDimensions };
        var trees = new Option<int>("--trees") { Description = "Trees in the random forest", DefaultValueFactory = _ => new PipelineOptions().ForestTrees };
        var restarts = new Option<int>("--restarts") { Description = "k-means restarts", DefaultValueFactory = _ => new PipelineOptions().KMeansRestarts };
        var autoencoder = Choice("--autoencoder", "Autoencoder architecture for --features autoencoder", ArchitectureName(new AutoencoderOptions().Architecture), Enum.GetValues<AutoencoderArchitecture>().Select(ArchitectureName));
        var epochs = new Option<int>("--epochs") { Description = "Maximum autoencoder training epochs (stops earlier when the loss plateaus)", DefaultValueFactory = _ => new AutoencoderOptions().Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Autoencoder mini-batch size", DefaultValueFactory = _ => new AutoencoderOptions().BatchSize };
        var learningRate = new Option<float>("--learning-rate") { Description = "Autoencoder Adam learning rate", DefaultValueFactory = _ => new AutoencoderOptions().LearningRate };
        var embeddingSize = new Option<int>("--embedding-size") { Description = "Autoencoder bottleneck (feature) size", DefaultValueFactory = _ => new AutoencoderOptions().EmbeddingSize };
        var umapNeighbors = new Option<int>("--umap-neighbors") { Description = "UMAP neighbourhood size for --reduce umap", DefaultValueFactory = _ => new PipelineOptions().Umap.Neighbors };
        var umapMinDist = new Option<double>("--umap-min-dist") { Description = "UMAP minimum distance for --reduce umap", DefaultValueFactory = _ => new PipelineOptions().Umap.MinDist };
        var eps = new Option<double?>("--eps") { Description = "DBSCAN neighbourhood radius (default: chosen at the knee of the k-distance curve, reported as dbscan_eps)" };
        var minSamples = new Option<int>("--min-samples") { Description = "DBSCAN: rows within eps, the row itself included, that make a core row", DefaultValueFactory = _ => new DbscanOptions().MinSamples };
        var linkage = Choice("--linkage", "Agglomerative linkage", ChoiceNames.Of(new AgglomerativeOptions().Linkage), Enum.GetValues<Linkage>().Select(ChoiceNames.Of));
        var rebalance = Choice("--rebalance", "Rebalancing of the forest's training rows (after the held-out split)", ChoiceNames.Of(new PipelineOptions().Rebalance), Enum.GetValues<RebalanceMethod>().Select(ChoiceNames.Of));
        var refine = Choice("--refine", "Second labelling stage: cnn trains a CNN on the confident images and relabels every image; none keeps the first labels", ChoiceNames.Of(new PipelineOptions().Refine), Enum.GetValues<RefineMethod>().Select(ChoiceNames.Of));
        var refineRounds = new Option<int>("--refine-rounds")
        {
            Description = "Self-labelling rounds, 1 to 3: each CNN after the first trains on every image with the labels of the one before, and the rounds' averaged probabilities give the refined labels",
            DefaultValueFactory = _ => new SelfLabellingOptions().Rounds,
        };
        // No default value: leaving it out means the features the final labels came from (cnn with --refine cnn, else features).
        var classifierInput = new Option<string?>("--classifier-input") { Description = "What the random forest trains on and predicts from: features, pixels or cnn (default: cnn with --refine cnn, else features)" };
        classifierInput.AcceptOnlyFromAmong([.. Enum.GetValues<ClassifierInput>().Select(ChoiceNames.Of)]);
        var knownLabels = new Option<string?>("--known-labels") { Description = "Labels of every image; a seeded --known-fraction of them is known, label spreading labels the rest and the forest learns the spread labels" };
        var knownFraction = new Option<double>("--known-fraction") { Description = "Share of --known-labels treated as known", DefaultValueFactory = _ => new PipelineOptions().KnownFraction };
        var quiet = CommonOptions.Quiet();
        var cluster = new Option<string?>("--cluster") { Description = "Run on a cluster: its Redis host:port (needs --store)" };
        var inProcess = new Option<bool>("--in-process") { Description = "Fit with the ML library directly in this process: no grains, no shard store (the reference the cluster path is checked against)" };
        var store = new Option<string?>("--store") { Description = "Shard store directory: shared by the silos with --cluster; embedded, a hidden working folder of --out unless given" };
        var keepVersions = CommonOptions.KeepVersions();
        var keepJobData = new Option<bool>("--keep-job-data") { Description = "Keep the job's shards and intermediates in the store after its outputs are published (for debugging)" };
        var shardSize = new Option<int>("--shard-size") { Description = "Images per shard in cluster mode", DefaultValueFactory = _ => new ClusterJobSettings().ShardSize };
        // No default value: leaving it out means auto, and giving it with --cluster or --in-process is refused.
        var featureBackend = new Option<string?>("--feature-backend")
        {
            Description = "Where the embedded silo's feature extraction computes: cpu, cuda, or auto (default: a CUDA GPU when ILGPU finds one, else the CPU)",
        };
        featureBackend.AcceptOnlyFromAmong([.. Enum.GetValues<FeatureBackendChoice>().Select(FeatureBackends.Name)]);

        var command = new Command("run", "Fit features, clustering and classifier on unlabelled images; write the model bundle, assignments and metrics")
        {
            images, outDir, clusters, features, reduce, method, seed, labels, pcaComponents, reduceDims, trees, restarts,
            autoencoder, epochs, batchSize, learningRate, embeddingSize, umapNeighbors, umapMinDist, eps, minSamples, linkage,
            rebalance, refine, refineRounds, classifierInput, knownLabels, knownFraction, quiet, cluster, inProcess, store, shardSize, keepVersions, keepJobData, featureBackend,
        };
        command.SetAction(parse =>
        {
            var options = new PipelineOptions
            {
                Clusters = parse.GetValue(clusters),
                Features = ChoiceNames.Parse<FeatureMethod>(parse.GetValue(features)!)!.Value,
                Reduce = ChoiceNames.Parse<ReductionMethod>(parse.GetValue(reduce)!)!.Value,
                Method = ChoiceNames.Parse<ClusteringMethod>(parse.GetValue(method)!)!.Value,
                Seed = parse.GetValue(seed),
                PcaComponents = parse.GetValue(pcaComponents),
                ReducedDimensions = parse.GetValue(reduceDims),
                ForestTrees = parse.GetValue(trees),
                KMeansRestarts = parse.GetValue(restarts),
                Autoencoder = new AutoencoderOptions
                {
                    Architecture = Enum.GetValues<AutoencoderArchitecture>().Single(a => ArchitectureName(a) == parse.GetValue(autoencoder)),
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batchSize),
                    LearningRate = parse.GetValue(learningRate),
                    EmbeddingSize = parse.GetValue(embeddingSize),
                },
                Umap = new PipelineOptions().Umap with { Neighbors = parse.GetValue(umapNeighbors), MinDist = parse.GetValue(umapMinDist) },
                Dbscan = new DbscanOptions { Eps = parse.GetValue(eps), MinSamples = parse.GetValue(minSamples) },
                Agglomerative = new PipelineOptions().Agglomerative with { Linkage = ChoiceNames.Parse<Linkage>(parse.GetValue(linkage)!)!.Value },
                Rebalance = ChoiceNames.Parse<RebalanceMethod>(parse.GetValue(rebalance)!)!.Value,
                Refine = ChoiceNames.Parse<RefineMethod>(parse.GetValue(refine)!)!.Value,
                SelfLabelling = new SelfLabellingOptions { Rounds = parse.GetValue(refineRounds) },
                ClassifierInput = parse.GetValue(classifierInput) is { } input ? ChoiceNames.Parse<ClassifierInput>(input)!.Value : null,
                KnownFraction = parse.GetValue(knownFraction),
            };
            options.Validate();
            var request = new LabellingJobRequest(parse.GetValue(images)!, parse.GetValue(outDir)!, options, parse.GetValue(labels), parse.GetValue(knownLabels),
                CommonOptions.KeepVersionsOf(parse, keepVersions), parse.GetValue(keepJobData));
            var redis = parse.GetValue(cluster);
            if (parse.GetValue(inProcess) && (redis is not null || parse.GetValue(store) is not null))
            {
                throw new UserError("--in-process runs without grains or store; leave out --cluster and --store");
            }
            var backend = FeatureBackendOf(parse.GetValue(featureBackend), parse.GetValue(inProcess), redis);
            var (metrics, report) = parse.GetValue(inProcess)
                ? ProgressReporter.Run(parse.GetValue(quiet), observer => LabellingJob.Run(request, observer, ConsoleLog.Create(output)))
                : RunOnCluster(request, redis, parse.GetValue(store), parse.GetValue(shardSize), parse.GetValue(quiet), backend, output);

            output.WriteLine($"wrote {Path.Combine(request.OutputDirectory, JobOutputs.Model)}/, {JobOutputs.Assignments}, {JobOutputs.Labels}, {JobOutputs.Metrics}, {RunReport.FileName}");
            if (metrics["selected_method"] is { } selected)
            {
                output.WriteLine($"{"selected_method",-22} {selected.GetValue<string>()}");
            }
            foreach (var key in new[] { "n_images", "n_clusters_found", "noise_fraction", "accuracy", "nmi", "ari", "refine_accuracy", "refine_nmi", "refine_ari", "silhouette", "davies_bouldin", "calinski_harabasz", "classifier_accuracy", "classifier_macro_f1", "label_spreading_accuracy" })
            {
                if (metrics[key] is { } value)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-25} {FormatNumber(value.GetValue<double>())}"));
                }
            }
            if (metrics["feature_backend"] is { } ranOn)
            {
                output.WriteLine($"{"feature_backend",-25} {ranOn.GetValue<string>()}");
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total_s",-25} {metrics["timings_s"]!.AsObject().Sum(t => t.Value!.GetValue<double>()):0.0}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"report_s",-25} {report.Elapsed.TotalSeconds:0.0} ({report.Bytes / 1e6:0.0} MB)"));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The embedded silo's feature backend. A cluster's silos choose their own (Silo
    /// <c>--feature-backend</c>), and <c>--in-process</c> is the CPU reference path, so there it is refused.
    /// </summary>
    private static FeatureBackendChoice FeatureBackendOf(string? text, bool inProcess, string? redis)
    {
        if (text is null)
        {
            return FeatureBackendChoice.Auto;
        }
        if (redis is not null)
        {
            throw new UserError("--feature-backend is the embedded silo's; a cluster's silos choose theirs (Silo --feature-backend, Silo__FeatureBackend)");
        }
        if (inProcess)
        {
            throw new UserError("--feature-backend is the embedded silo's; --in-process fits on the CPU, as the reference path");
        }
        return FeatureBackends.Parse(text);
    }

    private static (System.Text.Json.Nodes.JsonObject Metrics, ReportWritten Report) RunOnCluster(LabellingJobRequest request, string? redis, string? store, int shardSize, bool quiet,
        FeatureBackendChoice featureBackend, TextWriter output)
    {
        if (redis is not null && store is null)
        {
            throw new UserError("--cluster needs --store <dir>: the store directory the silos share");
        }
        if (shardSize < 1)
        {
            throw new UserError($"--shard-size must be at least 1, got {shardSize}");
        }
        try
        {
            if (redis is not null)
            {
                LabellingSiloHosting.RedisConfiguration(redis);
            }
            if (store is not null)
            {
                ShardStore.CheckWritable(store);
            }
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }
        // Without --store the embedded silo's shards and intermediates live in a working directory
        // inside the output directory, removed afterwards; if this process dies, the next
        // publication there (or store gc --out) removes it.
        using var scratch = store is null ? new RunDirectory(request.OutputDirectory, JobOutputs.All).CreateScratch() : null;
        using var interruption = new Interruption();
        var storeDirectory = store ?? scratch!.Path;
        return ProgressReporter.Run(quiet, observer =>
        {
            // The client writes the shards as a silo of the cluster it runs on would.
            var shardStore = new ShardStore(storeDirectory, SiloOptions.DurabilityWith(redis));
            var settings = new ClusterJobSettings { ShardSize = shardSize };
            IngestedRequest? ingested = null;
            ClusterSession session;
            if (redis is null)
            {
                // The embedded silo starts while the images are split into shards (each takes
                // about a second on MNIST): nothing of the one needs the other. On a thread of its
                // own, since building and starting the host runs for most of that second before
                // its first await, and would otherwise hold the ingest back.
                var starting = Task.Run(() => ClusterSession.EmbeddedAsync(storeDirectory, featureBackend));
                try
                {
                    ingested = ClusterJobClient.Ingest(shardStore, request, settings);
                }
                finally
                {
                    session = starting.GetAwaiter().GetResult();
                    if (ingested is null)
                    {
                        // The silo may still be starting: what Orleans says while it is stopped
                        // half-started would bury the input's one-line error.
                        session.Abandon();
                        session.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    }
                }
            }
            else
            {
                // A cluster is reached first, so an unreachable one leaves nothing ingested behind.
                session = ClusterSession.ConnectAsync(redis).GetAwaiter().GetResult();
            }
            try
            {
                var client = new ClusterJobClient(session.Grains, settings, ConsoleLog.Create(output));
                return client.RunAsync(shardStore, ingested ?? ClusterJobClient.Ingest(shardStore, request, settings), ClusterSession.Observe(observer), interruption.Token)
                    .GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (interruption.Token.IsCancellationRequested)
            {
                session.Abandon();
                throw interruption.Outcome(redis is null
                    ? $"the job was stopped; nothing was written to {request.OutputDirectory}"
                    : $"the job was cancelled on the cluster; nothing was written to {request.OutputDirectory}");
            }
            finally
            {
                session.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        });
    }

    private static string ArchitectureName(AutoencoderArchitecture architecture) =>
        architecture == AutoencoderArchitecture.Convolutional ? "conv" : "dense";

    private static string FormatNumber(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e12 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static Option<string> Choice(string name, string description, string defaultValue, IEnumerable<string> values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong([.. values]);
        return option;
    }
}
