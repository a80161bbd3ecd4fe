namespace Distributed.Bench.MlNet;

/// <summary>A multiclass prediction as ML.NET's prediction engine returns it: the 1-based key of the class (0: missing).</summary>
internal sealed class KeyPrediction
{
    public uint PredictedLabel { get; set; }
}
