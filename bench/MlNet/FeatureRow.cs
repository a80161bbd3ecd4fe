namespace Distributed.Bench.MlNet;

/// <summary>One row as ML.NET reads it from memory: a feature vector and, for the classifiers, its label.</summary>
internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];

    public int Label { get; set; }
}
