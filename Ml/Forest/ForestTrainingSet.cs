namespace Distributed.Ml.Forest;

/// <summary>
/// Training data prepared once for every tree: features binned column-major, labels encoded as
/// 0..C−1, and the sorted original class labels.
/// </summary>
/// <param name="Bins">Bin edges per feature.</param>
/// <param name="BinnedColumns">Bin of each row, per feature.</param>
/// <param name="EncodedLabels">Class index of each row.</param>
/// <param name="Classes">Original label of each class index, ascending.</param>
public sealed record ForestTrainingSet(FeatureBins Bins, byte[][] BinnedColumns, int[] EncodedLabels, int[] Classes)
{
    /// <summary>Number of training rows.</summary>
    public int Rows => EncodedLabels.Length;

    /// <summary>Number of features.</summary>
    public int Features => BinnedColumns.Length;
}
