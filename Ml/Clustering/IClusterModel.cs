using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>A fitted clustering that can place new rows into its clusters.</summary>
public interface IClusterModel
{
    /// <summary>Number of clusters.</summary>
    int ClusterCount { get; }

    /// <summary>Columns expected on input.</summary>
    int Dimension { get; }

    /// <summary>Cluster of every row (−1 for noise where the method has it).</summary>
    int[] Predict(Matrix rows);

    /// <summary>Serialises the fitted parameters.</summary>
    void Save(Stream stream);
}
