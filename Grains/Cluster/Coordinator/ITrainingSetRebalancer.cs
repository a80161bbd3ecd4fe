using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Distributed.Ml.Rebalancing;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// The one place where the forest's training set is rebalanced, after the held-out split and
/// before the tree groups are sent out. Must be deterministic for the options' seed.
/// </summary>
public interface ITrainingSetRebalancer
{
    /// <summary>Returns the rows and labels the forest is trained on.</summary>
    (Matrix Rows, int[] Labels) Rebalance(Matrix rows, int[] labels, PipelineOptions options);
}

/// <summary>The embedded pipeline's rebalancing: SMOTE + Tomek links when the options ask for it (the default).</summary>
public sealed class PipelineRebalancing : ITrainingSetRebalancer
{
    /// <inheritdoc/>
    public (Matrix Rows, int[] Labels) Rebalance(Matrix rows, int[] labels, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Rebalance != RebalanceMethod.SmoteTomek)
        {
            return (rows, labels);
        }
        var resampled = SmoteTomek.Resample(rows, labels, options.SmoteTomek with { Seed = options.Seed }).Rows;
        return (resampled.Data, resampled.Labels);
    }
}
