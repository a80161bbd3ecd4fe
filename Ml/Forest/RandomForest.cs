using Distributed.Ml.Numerics;

namespace Distributed.Ml.Forest;

/// <summary>
/// Random forest classifier (Breiman 2001): bootstrap samples, ⌊√d⌋ candidate features per split,
/// histogram CART trees on quantile bins, probabilities averaged over trees.
/// </summary>
/// <remarks>
/// Tree t draws its bootstrap and feature choices only from (seed, t), so trees can be grown in
/// any order, on any number of threads or workers, in groups (<see cref="GrowTrees"/>) merged with
/// <see cref="Merge"/>, and the forest is the same. Deterministic for a given seed.
/// </remarks>
public static class RandomForest
{
    /// <summary>Fits a forest to rows <paramref name="data"/> labelled <paramref name="labels"/>.</summary>
    public static RandomForestModel Fit(Matrix data, int[] labels, RandomForestOptions options)
    {
        var set = Prepare(data, labels, options);
        var group = GrowTrees(set, options, 0, options.Trees);
        var model = Merge(set.Classes, set.Features, [group]);
        if (options.OutOfBagScore && options.Bootstrap)
        {
            model = model.WithOutOfBagScore(OutOfBag.Score(model, data, set.EncodedLabels, options));
        }
        return model;
    }

    /// <summary>Validates the inputs, places bin edges on a seeded sample and bins every feature.</summary>
    public static ForestTrainingSet Prepare(Matrix data, int[] labels, RandomForestOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        if (labels.Length != data.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {data.Rows} rows.", nameof(labels));
        }
        if (data.Rows == 0 || data.Cols == 0)
        {
            throw new ArgumentException("A forest needs at least one row and one feature.", nameof(data));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trees, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinSamplesLeaf, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxDepth);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxFeatures);

        var classes = labels.Distinct().Order().ToArray();
        var encoded = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            encoded[i] = Array.BinarySearch(classes, labels[i]);
        }
        var bins = FeatureBins.Fit(data, options.MaxBins, options.BinningSampleSize, Rng.Derive(options.Seed, RandomStreams.Sample));
        return new ForestTrainingSet(bins, bins.Bin(data), encoded, classes);
    }

    /// <summary>Grows trees [first, first + count) of the forest, in parallel.</summary>
    public static TreeGroup GrowTrees(ForestTrainingSet set, RandomForestOptions options, int first, int count)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var trees = new DecisionTree[count];
        var importances = new double[count][];
        Parallel.For(0, count, i =>
        {
            var rng = TreeRng(options.Seed, first + i);
            var weights = BootstrapWeights(set.Rows, options.Bootstrap, rng);
            var builder = new TreeBuilder(set.BinnedColumns, set.Bins.Edges, set.EncodedLabels, set.Classes.Length, options);
            trees[i] = builder.Build(weights, rng);
            importances[i] = builder.Importances;
        });
        return new TreeGroup(first, trees, importances);
    }

    /// <summary>Joins groups covering trees 0..T−1 (in any order) into one forest.</summary>
    public static RandomForestModel Merge(int[] classes, int featureCount, IEnumerable<TreeGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var ordered = groups.OrderBy(g => g.FirstTree).ToList();
        var trees = new List<DecisionTree>();
        var importances = new double[featureCount];
        foreach (var group in ordered)
        {
            if (group.FirstTree != trees.Count)
            {
                throw new ArgumentException($"Tree groups leave a gap or overlap at tree {trees.Count} (next group starts at {group.FirstTree}).", nameof(groups));
            }
            trees.AddRange(group.Trees);
            foreach (var treeImportances in group.Importances)
            {
                var sum = treeImportances.Sum();
                for (var f = 0; f < featureCount && sum > 0; f++)
                {
                    importances[f] += treeImportances[f] / sum;
                }
            }
        }
        var total = importances.Sum();
        for (var f = 0; f < featureCount && total > 0; f++)
        {
            importances[f] /= total;
        }
        return new RandomForestModel(classes, featureCount, [.. trees], importances, double.NaN);
    }

    /// <summary>
    /// Out-of-bag accuracy of a forest grown with <paramref name="options"/> on exactly these rows
    /// (each tree's bootstrap is replayed from its seed), as <see cref="Fit"/> reports it.
    /// </summary>
    public static double OutOfBagScore(RandomForestModel model, Matrix data, int[] labels, RandomForestOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labels);
        var encoded = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            encoded[i] = Array.BinarySearch(model.Classes, labels[i]);
        }
        return OutOfBag.Score(model, data, encoded, options);
    }

    internal static Rng TreeRng(ulong seed, int tree) => Rng.Derive(seed, RandomStreams.Tree, (ulong)tree);

    /// <summary>Bootstrap counts: n draws with replacement (the first draws of the tree's generator).</summary>
    internal static int[] BootstrapWeights(int rows, bool bootstrap, Rng rng)
    {
        var weights = new int[rows];
        if (!bootstrap)
        {
            Array.Fill(weights, 1);
            return weights;
        }
        for (var i = 0; i < rows; i++)
        {
            weights[rng.NextInt(rows)]++;
        }
        return weights;
    }
}
