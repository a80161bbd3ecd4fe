using Distributed.Ml.Numerics;

namespace Distributed.Ml.Forest;

/// <summary>
/// Grows one CART classification tree on binned features: depth first, at each node a class
/// histogram per candidate feature and one scan over its bins for the best threshold.
/// </summary>
internal sealed class TreeBuilder
{
    private readonly byte[][] _bins;
    private readonly float[][] _edges;
    private readonly int[] _labels;
    private readonly int _classCount;
    private readonly RandomForestOptions _options;
    private readonly int _maxFeatures;
    private readonly double[] _histogram;
    private readonly double[] _leftCounts;
    private readonly double[] _bestLeftCounts;
    private readonly int[] _featureOrder;

    private readonly List<int> _feature = [];
    private readonly List<float> _threshold = [];
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];
    private readonly List<float> _leafValues = [];

    public TreeBuilder(byte[][] bins, float[][] edges, int[] labels, int classCount, RandomForestOptions options)
    {
        _bins = bins;
        _edges = edges;
        _labels = labels;
        _classCount = classCount;
        _options = options;
        var d = bins.Length;
        _maxFeatures = options.MaxFeatures > 0 ? Math.Min(options.MaxFeatures, d) : Math.Max(1, (int)Math.Sqrt(d));
        _histogram = new double[256 * classCount];
        _leftCounts = new double[classCount];
        _bestLeftCounts = new double[classCount];
        _featureOrder = new int[d];
        Importances = new double[d];
    }

    /// <summary>Weighted impurity decrease per feature accumulated while growing.</summary>
    public double[] Importances { get; }

    /// <summary>Grows a tree on the rows with non-zero <paramref name="weights"/> (bootstrap counts).</summary>
    public DecisionTree Build(int[] weights, Rng rng)
    {
        var rows = new List<int>(weights.Length);
        var rootCounts = new double[_classCount];
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0)
            {
                rows.Add(i);
                rootCounts[_labels[i]] += weights[i];
            }
        }
        var index = rows.ToArray();
        var scratch = new int[index.Length];
        var total = Sum(rootCounts);

        var stack = new Stack<PendingNode>();
        stack.Push(new PendingNode(NewNode(), 0, index.Length, 0, rootCounts));
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            var weight = Sum(node.Counts);
            var impurity = Impurity(node.Counts, weight);
            var canSplit = impurity > 0
                && weight >= _options.MinSamplesSplit
                && weight >= 2 * _options.MinSamplesLeaf
                && (_options.MaxDepth == 0 || node.Depth < _options.MaxDepth);
            var split = canSplit ? FindSplit(index, node, weights, weight, rng) : null;
            if (split is not { } s)
            {
                MakeLeaf(node.Id, node.Counts, weight);
                continue;
            }

            var leftCounts = s.LeftCounts;
            var rightCounts = new double[_classCount];
            for (var c = 0; c < _classCount; c++)
            {
                rightCounts[c] = node.Counts[c] - leftCounts[c];
            }
            var leftWeight = Sum(leftCounts);
            var rightWeight = weight - leftWeight;
            Importances[s.Feature] += (weight * impurity - leftWeight * Impurity(leftCounts, leftWeight) - rightWeight * Impurity(rightCounts, rightWeight)) / total;

            var middle = Partition(index, scratch, node.Start, node.End, _bins[s.Feature], s.Bin);
            var leftId = NewNode();
            var rightId = NewNode();
            _feature[node.Id] = s.Feature;
            _threshold[node.Id] = _edges[s.Feature][s.Bin];
            _left[node.Id] = leftId;
            _right[node.Id] = rightId;
            // Right pushed first so the left subtree is grown (and numbered) first.
            stack.Push(new PendingNode(rightId, middle, node.End, node.Depth + 1, rightCounts));
            stack.Push(new PendingNode(leftId, node.Start, middle, node.Depth + 1, leftCounts));
        }
        return new DecisionTree([.. _feature], [.. _threshold], [.. _left], [.. _right], [.. _leafValues], _classCount);
    }

    private Split? FindSplit(int[] index, PendingNode node, int[] weights, double weight, Rng rng)
    {
        var d = _featureOrder.Length;
        for (var f = 0; f < d; f++)
        {
            _featureOrder[f] = f;
        }
        var bestFeature = -1;
        var bestBin = 0;
        var bestScore = double.NegativeInfinity;
        var visited = 0;
        // As scikit-learn: draw features without replacement until max_features non-constant
        // ones have been examined (constant features do not count against the budget).
        for (var drawn = 0; drawn < d && visited < _maxFeatures; drawn++)
        {
            var pick = drawn + rng.NextInt(d - drawn);
            (_featureOrder[drawn], _featureOrder[pick]) = (_featureOrder[pick], _featureOrder[drawn]);
            var feature = _featureOrder[drawn];
            var binCount = _edges[feature].Length + 1;
            if (binCount < 2)
            {
                continue;
            }
            var column = _bins[feature];
            Array.Clear(_histogram, 0, binCount * _classCount);
            int minBin = 255, maxBin = 0;
            for (var i = node.Start; i < node.End; i++)
            {
                var row = index[i];
                int bin = column[row];
                _histogram[bin * _classCount + _labels[row]] += weights[row];
                minBin = Math.Min(minBin, bin);
                maxBin = Math.Max(maxBin, bin);
            }
            if (minBin == maxBin)
            {
                continue;
            }
            visited++;

            Array.Clear(_leftCounts);
            var leftWeight = 0.0;
            for (var bin = minBin; bin < maxBin; bin++)
            {
                var offset = bin * _classCount;
                for (var c = 0; c < _classCount; c++)
                {
                    _leftCounts[c] += _histogram[offset + c];
                    leftWeight += _histogram[offset + c];
                }
                var rightWeight = weight - leftWeight;
                if (leftWeight < _options.MinSamplesLeaf || rightWeight < _options.MinSamplesLeaf)
                {
                    continue;
                }
                var score = Score(_leftCounts, leftWeight, node.Counts, rightWeight);
                if (score > bestScore)
                {
                    bestScore = score;
                    Array.Copy(_leftCounts, _bestLeftCounts, _classCount);
                    bestFeature = feature;
                    bestBin = bin;
                }
            }
        }
        return bestFeature < 0 ? null : new Split(bestFeature, bestBin, (double[])_bestLeftCounts.Clone());
    }

    /// <summary>Higher is better: minus the children's weighted impurity (the parent's is constant).</summary>
    private double Score(double[] left, double leftWeight, double[] parent, double rightWeight)
    {
        if (_options.Criterion == SplitCriterion.Gini)
        {
            // Σ L²/NL + Σ R²/NR is the Gini decrease up to terms constant at this node.
            double leftSquares = 0, rightSquares = 0;
            for (var c = 0; c < left.Length; c++)
            {
                var r = parent[c] - left[c];
                leftSquares += left[c] * left[c];
                rightSquares += r * r;
            }
            return leftSquares / leftWeight + rightSquares / rightWeight;
        }
        double leftEntropy = 0, rightEntropy = 0;
        for (var c = 0; c < left.Length; c++)
        {
            var r = parent[c] - left[c];
            leftEntropy -= left[c] > 0 ? left[c] * Math.Log(left[c] / leftWeight) : 0;
            rightEntropy -= r > 0 ? r * Math.Log(r / rightWeight) : 0;
        }
        return -(leftEntropy + rightEntropy);
    }

    private double Impurity(double[] counts, double weight)
    {
        if (weight <= 0)
        {
            return 0;
        }
        var impurity = _options.Criterion == SplitCriterion.Gini ? 1.0 : 0.0;
        foreach (var count in counts)
        {
            var p = count / weight;
            impurity -= _options.Criterion == SplitCriterion.Gini ? p * p : p > 0 ? p * Math.Log2(p) : 0;
        }
        return Math.Max(0, impurity);
    }

    /// <summary>Stable partition of index[start, end) into bin ≤ threshold then bin > threshold; returns the boundary.</summary>
    private static int Partition(int[] index, int[] scratch, int start, int end, byte[] column, int thresholdBin)
    {
        var left = start;
        var right = 0;
        for (var i = start; i < end; i++)
        {
            var row = index[i];
            if (column[row] <= thresholdBin)
            {
                index[left++] = row;
            }
            else
            {
                scratch[right++] = row;
            }
        }
        Array.Copy(scratch, 0, index, left, right);
        return left;
    }

    private int NewNode()
    {
        _feature.Add(-1);
        _threshold.Add(0f);
        _left.Add(0);
        _right.Add(0);
        return _feature.Count - 1;
    }

    private void MakeLeaf(int id, double[] counts, double weight)
    {
        _feature[id] = -1;
        _left[id] = _leafValues.Count / _classCount;
        foreach (var count in counts)
        {
            _leafValues.Add((float)(count / weight));
        }
    }

    private static double Sum(double[] values)
    {
        var sum = 0.0;
        foreach (var value in values)
        {
            sum += value;
        }
        return sum;
    }

    private readonly record struct PendingNode(int Id, int Start, int End, int Depth, double[] Counts);

    private readonly record struct Split(int Feature, int Bin, double[] LeftCounts);
}
