using Distributed.Ml.Numerics;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace Distributed.Bench.MlNet;

/// <summary>
/// ML.NET's random forest for the forest entries: <c>FastForest</c> is binary only, so a multiclass
/// forest is one-vs-all over it (one binary forest of <see cref="Trees"/> trees per class, each with
/// ML.NET's defaults otherwise: at most 20 leaves, at least 10 rows a leaf, features in 255 bins, 70%
/// of the rows and of the features per tree and 70% of those features per split).
/// </summary>
internal static class FastForestMulticlass
{
    /// <summary>As ours and scikit-learn's forests (100 trees), per class here.</summary>
    public const int Trees = 100;

    private const int WarmUpRows = 500;
    private const int WarmUpTrees = 4;

    public static IEstimator<ITransformer> Trainer(MLContext context, int seed, int trees = Trees)
    {
        var binary = context.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
        {
            FeatureColumnName = MlNetInputs.Features,
            LabelColumnName = MlNetInputs.Label,
            NumberOfTrees = trees,
            NumberOfThreads = MlNetInputs.Threads,
            Seed = seed,
        });
        return context.MulticlassClassification.Trainers.OneVersusAll(binary, labelColumnName: MlNetInputs.Label);
    }

    /// <summary>
    /// The forest entries' warm-up (JIT and ML.NET's first-use costs, untimed): a few trees on the
    /// first training rows, whose labels are predicted once.
    /// </summary>
    public static (MLContext Context, ITransformer Model, Matrix Rows) WarmUp(BenchData data)
    {
        var (rows, labels) = ForestSplit.From(data).TrainHead(WarmUpRows);
        var context = MlNetInputs.Context(data);
        var train = MlNetInputs.Labelled(context, rows, labels);
        var model = Trainer(context, MlNetInputs.Seed(data), WarmUpTrees).Fit(train);
        MlNetInputs.PredictLabels(model, MlNetInputs.View(context, rows), MlNetInputs.KeyValues(train));
        return (context, model, rows);
    }

    /// <summary>What was fitted, for the notes.</summary>
    public static string Describe(int classes) => $"one-vs-all over {classes} classes × FastForest {Trees} trees (≤ 20 leaves each, ML.NET's default)";
}
