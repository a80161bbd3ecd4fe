using Distributed.Ml.Numerics;

namespace Distributed.Ml.Forest;

/// <summary>Out-of-bag accuracy: each training row scored only by the trees whose bootstrap left it out.</summary>
internal static class OutOfBag
{
    public static double Score(RandomForestModel model, Matrix data, int[] encodedLabels, RandomForestOptions options)
    {
        var classes = model.Classes.Length;
        var votes = new double[data.Rows * classes];
        var voted = new bool[data.Rows];
        const int blockRows = 4096;
        var blocks = (data.Rows + blockRows - 1) / blockRows;
        // Trees in order, rows in parallel: each row's sum is always formed in tree order.
        for (var t = 0; t < model.Trees.Length; t++)
        {
            var weights = RandomForest.BootstrapWeights(data.Rows, bootstrap: true, RandomForest.TreeRng(options.Seed, t));
            var tree = model.Trees[t];
            Parallel.For(0, blocks, b =>
            {
                var end = Math.Min(data.Rows, (b + 1) * blockRows);
                for (var i = b * blockRows; i < end; i++)
                {
                    if (weights[i] != 0)
                    {
                        continue;
                    }
                    var offset = tree.LeafOffset(data.Row(i));
                    for (var c = 0; c < classes; c++)
                    {
                        votes[i * classes + c] += tree.LeafValues[offset + c];
                    }
                    voted[i] = true;
                }
            });
        }
        long scored = 0, correct = 0;
        for (var i = 0; i < data.Rows; i++)
        {
            if (!voted[i])
            {
                continue;
            }
            scored++;
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                best = votes[i * classes + c] > votes[i * classes + best] ? c : best;
            }
            correct += best == encodedLabels[i] ? 1 : 0;
        }
        return scored == 0 ? double.NaN : (double)correct / scored;
    }
}
