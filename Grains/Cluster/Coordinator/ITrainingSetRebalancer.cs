using Distributed.Ml.Numerics;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// The one place where the forest's training set may be rebalanced (e.g. SMOTE + Tomek links,
/// being written on another branch) after the held-out split and before the tree groups are sent
/// out. Must be deterministic for a seed.
/// </summary>
public interface ITrainingSetRebalancer
{
    /// <summary>Returns the rows and labels the forest is trained on.</summary>
    (Matrix Rows, int[] Labels) Rebalance(Matrix rows, int[] labels, ulong seed);
}

/// <summary>No rebalancing: the embedded pipeline's behaviour today.</summary>
public sealed class NoRebalancing : ITrainingSetRebalancer
{
    /// <inheritdoc/>
    public (Matrix Rows, int[] Labels) Rebalance(Matrix rows, int[] labels, ulong seed) => (rows, labels);
}
